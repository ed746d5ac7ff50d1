/**
 * The one global loading channel (views.md 14.4): every request the client makes is counted as
 * foreground (the user waits for it: first load of a screen, a save) or background (a refetch
 * of data already shown). The shell draws a top progress bar while anything loads and, after
 * `OVERLAY_DELAY` ms of foreground loading, a blocking overlay. Views draw no spinners.
 */

export const OVERLAY_DELAY = 1500;

export interface LoadingState {
  foreground: number;
  background: number;
  /** True once foreground loading has lasted OVERLAY_DELAY ms. */
  overlay: boolean;
}

type Listener = (state: LoadingState) => void;

let state: LoadingState = { foreground: 0, background: 0, overlay: false };
const listeners = new Set<Listener>();
let overlayTimer: ReturnType<typeof setTimeout> | null = null;

function emit(next: LoadingState): void {
  state = next;
  listeners.forEach((l) => l(state));
}

function update(kind: "foreground" | "background", delta: number): void {
  const next = { ...state, [kind]: Math.max(0, state[kind] + delta) };
  if (next.foreground > 0 && overlayTimer === null && !next.overlay) {
    overlayTimer = setTimeout(() => { overlayTimer = null; if (state.foreground > 0) emit({ ...state, overlay: true }); }, OVERLAY_DELAY);
  }
  if (next.foreground === 0) {
    if (overlayTimer !== null) { clearTimeout(overlayTimer); overlayTimer = null; }
    next.overlay = false;
  }
  emit(next);
}

export const loading = {
  /** Count one load until the returned function is called (once). */
  begin(kind: "foreground" | "background" = "foreground"): () => void {
    update(kind, 1);
    let done = false;
    return () => { if (!done) { done = true; update(kind, -1); } };
  },
  async track<T>(promise: Promise<T>, kind: "foreground" | "background" = "foreground"): Promise<T> {
    const end = loading.begin(kind);
    try { return await promise; } finally { end(); }
  },
  state(): LoadingState { return state; },
  subscribe(listener: Listener): () => void { listeners.add(listener); return () => listeners.delete(listener); },
};
