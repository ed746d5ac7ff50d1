import { MantineProvider } from "@mantine/core";
import { act, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { loading } from "../../core/query/loading";
import { Loading } from "./Loading";

describe("Loading", () => {
  it("shows the bar while something loads and hides it after", () => {
    render(<MantineProvider><Loading /></MantineProvider>);
    expect(screen.queryByTestId("loading-bar")).toBeNull();
    let end = (): void => {};
    act(() => { end = loading.begin("background"); });
    expect(screen.getByTestId("loading-bar")).toBeTruthy();
    act(() => end());
    expect(screen.queryByTestId("loading-bar")).toBeNull();
  });
});
