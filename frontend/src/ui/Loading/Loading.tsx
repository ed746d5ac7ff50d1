import { LoadingOverlay } from "@mantine/core";
import { useSyncExternalStore, type ReactNode } from "react";
import { loading } from "../../core/query/loading";

/** The top progress bar and, after 1.5 s of foreground loading, a blocking overlay (views.md 14.4). */
export function Loading(): ReactNode {
  const state = useSyncExternalStore(loading.subscribe, loading.state, loading.state);
  const busy = state.foreground + state.background > 0;
  return (
    <>
      {busy && <div className="ff-loading-bar" role="progressbar" aria-label="Loading" data-testid="loading-bar" />}
      <LoadingOverlay visible={state.overlay} zIndex={900} overlayProps={{ blur: 1 }} pos="fixed" />
    </>
  );
}
