import { afterEach, describe, expect, it, vi } from "vitest";
import { actionDialogs } from "./dialogs";

afterEach(() => actionDialogs.closeAll());

describe("actionDialogs", () => {
  it("opens dialogs on top of each other and closes one by its key, telling subscribers", () => {
    const seen = vi.fn();
    const stop = actionDialogs.subscribe(seen);
    const first = actionDialogs.open("core_change_password_action");
    const second = actionDialogs.open("other_wizard", { active_model: "User", active_ids: [3] });
    expect(actionDialogs.snapshot().map((d) => d.action)).toEqual(["core_change_password_action", "other_wizard"]);
    actionDialogs.close(first);
    expect(actionDialogs.snapshot()).toEqual([{ key: second, action: "other_wizard", context: { active_model: "User", active_ids: [3] } }]);
    expect(seen).toHaveBeenCalledTimes(3);
    stop();
    actionDialogs.close(second);
    expect(seen).toHaveBeenCalledTimes(3);
  });
});
