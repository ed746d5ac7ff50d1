import { describe, expect, it } from "vitest";
import type { MenuNode } from "../api/shapes";
import { actionOfPath, matchMenus, menuEntries } from "./palette";

const node = (identifier: string, name: string, action: string | null, children: MenuNode[] = []): MenuNode => ({ identifier, name, action, children, icon: null, sequence: 0 });
const tree = [
  node("contacts", "Contacts", null, [node("contacts_all", "Contacts", "core_contact_action")]),
  node("settings", "Settings", null, [node("users_companies", "Users & Companies", null, [node("users", "Users", "core_user_action"), node("companies", "Companies", "core_company_action")])]),
];

describe("the palette's menus", () => {
  it("lists every menu with an action and the path of its parents", () => {
    expect(menuEntries(tree).map((e) => [e.label, e.path])).toEqual([
      ["Contacts", "Contacts"], ["Users", "Settings / Users & Companies"], ["Companies", "Settings / Users & Companies"],
    ]);
  });
  it("matches every typed word in the label or the path, accents and case aside", () => {
    const entries = menuEntries(tree);
    expect(matchMenus(entries, "sett comp").map((e) => e.label)).toEqual(["Users", "Companies"]); // "Users & Companies" is in both paths
    expect(matchMenus(entries, "cont").map((e) => e.label)).toEqual(["Contacts"]);
    expect(matchMenus(entries, "USÉRS").map((e) => e.label)).toEqual(["Users", "Companies"]);
    expect(matchMenus(entries, "").length).toBe(3);
  });
  it("labels starting with the query come first", () => {
    expect(matchMenus(menuEntries(tree), "co").map((e) => e.label)).toEqual(["Contacts", "Companies", "Users"]);
  });
  it("reads the action of the current screen from its path", () => {
    expect(actionOfPath("/action/core_contact_action/12")).toBe("core_contact_action");
    expect(actionOfPath("/model/Contact/3")).toBeNull();
  });
});
