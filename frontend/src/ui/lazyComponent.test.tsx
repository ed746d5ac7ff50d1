import { act, render, screen } from "@testing-library/react";
import { Component, type ReactNode } from "react";
import { describe, expect, it, vi } from "vitest";
import { lazyComponent } from "./lazyComponent";

function Hello({ name }: { name: string }): ReactNode {
  return <span>Hello {name}</span>;
}

class Boundary extends Component<{ children: ReactNode }, { error: string | null }> {
  override state = { error: null as string | null };
  static getDerivedStateFromError(error: Error) { return { error: error.message }; }
  override render(): ReactNode { return this.state.error ? <span>failed: {this.state.error}</span> : this.props.children; }
}

describe("lazyComponent", () => {
  it("draws the fallback, then the component once its chunk arrived, without a Suspense boundary", async () => {
    let arrive!: (c: typeof Hello) => void;
    const Lazy = lazyComponent(() => new Promise<typeof Hello>((r) => { arrive = r; }), ({ name }) => <span>waiting for {name}</span>);
    render(<Lazy name="Ada" />);
    expect(screen.getByText("waiting for Ada")).toBeTruthy();
    await act(async () => { arrive(Hello); });
    expect(screen.getByText("Hello Ada")).toBeTruthy();
  });

  it("draws a preloaded component in the first render, and loads its chunk once", async () => {
    const load = vi.fn(() => Promise.resolve(Hello));
    const Lazy = lazyComponent(load);
    await Lazy.preload();
    render(<><Lazy name="Bo" /><Lazy name="Cy" /></>);
    expect(screen.getByText("Hello Bo")).toBeTruthy();
    expect(screen.getByText("Hello Cy")).toBeTruthy();
    expect(load).toHaveBeenCalledOnce();
  });

  it("throws a chunk that failed to load to the nearest error boundary", async () => {
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    const Lazy = lazyComponent<{ name: string }>(() => Promise.reject(new Error("Failed to fetch dynamically imported module")));
    render(<Boundary><Lazy name="Di" /></Boundary>);
    await act(async () => { await Promise.resolve(); await Promise.resolve(); });
    quiet.mockRestore();
    expect(screen.getByText("failed: Failed to fetch dynamically imported module")).toBeTruthy();
  });
});
