// Components in chunks of their own, drawn as soon as their chunk has arrived. React.lazy would
// suspend instead, and React 19 holds back the reveal of a suspended boundary for up to 300 ms
// after its fallback showed (to batch reveals): every lazily loaded screen or table waited for
// that timer, not for its code (web-client.md 4, the 2,000-row page and the Kanban budgets).
import { useEffect, useState, type ComponentType, type ReactNode } from "react";
import { loading } from "../core/query/loading";

export interface LazyComponent<P> {
  (props: P): ReactNode;
  /** Start fetching the chunk (once); resolves when it can be drawn. */
  preload: () => Promise<void>;
  displayName?: string;
}

/**
 * A component loaded by `load` on first use (or `preload()`): until its chunk has arrived it draws
 * `fallback` (nothing by default), then itself, in the same commit as any other update; a chunk
 * that fails to load throws when drawn, for the screen's error element.
 */
export function lazyComponent<P extends object>(
  load: () => Promise<ComponentType<P>>,
  fallback: (props: P) => ReactNode = () => null,
): LazyComponent<P> {
  let resolved: ComponentType<P> | null = null;
  let failed: unknown = null;
  let pending: Promise<void> | null = null;
  const preload = (): Promise<void> => {
    if (pending === null) failed = null;
    pending ??= loading.track(load()).then(
      (component) => { resolved = component; },
      (error: unknown) => { failed = error; pending = null; },
    );
    return pending;
  };
  function Lazy(props: P): ReactNode {
    const [, arrived] = useState(0);
    const ready = resolved !== null;
    useEffect(() => {
      if (ready) return;
      let live = true;
      void preload().then(() => { if (live) arrived((n) => n + 1); });
      return () => { live = false; };
    }, [ready]);
    if (failed !== null && !ready) throw failed;
    const Component = resolved;
    return Component ? <Component {...props} /> : fallback(props);
  }
  const component = Lazy as LazyComponent<P>;
  component.preload = preload;
  return component;
}
