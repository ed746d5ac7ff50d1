import { MantineProvider } from "@mantine/core";
import { render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { createMemoryRouter, Outlet, RouterProvider } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { ScreenError } from "./ScreenError";

function Broken(): ReactNode {
  throw new Error("Cannot read properties of null (reading 'cached')");
}

describe("ScreenError", () => {
  it("replaces a screen that throws, inside the layout that stays, and names the error", () => {
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    const router = createMemoryRouter([
      { element: <div><nav>Main menu</nav><Outlet /></div>, children: [{ errorElement: <ScreenError />, children: [{ path: "/", element: <Broken /> }] }] },
    ]);
    render(<MantineProvider><RouterProvider router={router} /></MantineProvider>);
    quiet.mockRestore();
    expect(screen.getByText("Main menu")).toBeTruthy();
    expect(screen.getByText("This screen could not be shown")).toBeTruthy();
    expect(screen.getByText("Cannot read properties of null (reading 'cached')")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Reload the screen" })).toBeTruthy();
  });
});
