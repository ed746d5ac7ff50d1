import { MantineProvider } from "@mantine/core";
import { QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { SearchSpec } from "../../core/api/shapes";
import { createQueryClient } from "../../core/query/client";
import { AuthProvider } from "../auth";
import { SearchBar } from "./SearchBar";

const spec: SearchSpec = {
  fields: [{ name: "name", label: "Name", lookup: "name__icontains" }, { name: "email", label: "Email", lookup: "email__icontains" }],
  filters: [[{ name: "companies", label: "Companies", q_filter: { and: [] } }]],
  group_by: [{ name: "country", label: "Country" }],
};

function draw(facets: never[] | Parameters<typeof SearchBar>[0]["state"]["facets"] = []) {
  const onChange = vi.fn();
  vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ data: [], total: 0 }), { status: 200 })));
  render(
    <MantineProvider>
      <QueryClientProvider client={createQueryClient()}>
        <AuthProvider>
          <SearchBar model="Contact" action="core_contact_action" spec={spec} fields={{}} state={{ facets }} onChange={onChange} />
        </AuthProvider>
      </QueryClientProvider>
    </MantineProvider>,
  );
  return onChange;
}

describe("SearchBar", () => {
  it("shows facets as removable chips", () => {
    const onChange = draw([{ kind: "field", field: "name", values: ["ada", "bob"] }, { kind: "filter", group: 0, names: ["companies"] }]);
    expect(screen.getByText("ada or bob")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Remove Filter: Companies" }));
    expect(onChange).toHaveBeenCalledWith({ facets: [{ kind: "field", field: "name", values: ["ada", "bob"] }] });
  });

  it("offers to search each field for the typed text", () => {
    draw();
    fireEvent.change(screen.getByRole("textbox", { name: "Search records" }), { target: { value: "north" } });
    expect(screen.getByText("Name")).toBeTruthy();
    expect(screen.getByText("Email")).toBeTruthy();
    expect(screen.getAllByText(/for: north/)).toHaveLength(2);
  });
});
