/**
 * Window actions opened in a dialog (`target: new`, later.md 1): wizards. Anything may ask for
 * one (a button's client action, the user menu); the shell's dialog host draws what is open.
 */
export interface ActionDialog {
  key: number;
  /** The WindowAction identifier. */
  action: string;
  /** The wizard's context: `active_model`, `active_ids` of what it works on, defaults. */
  context: Record<string, unknown>;
}

type Listener = () => void;
const listeners = new Set<Listener>();
let open: readonly ActionDialog[] = [];
let next = 1;

function emit(): void {
  listeners.forEach((l) => l());
}

export const actionDialogs = {
  open(action: string, context: Record<string, unknown> = {}): number {
    const key = next++;
    open = [...open, { key, action, context }];
    emit();
    return key;
  },
  close(key: number): void {
    open = open.filter((d) => d.key !== key);
    emit();
  },
  closeAll(): void {
    open = [];
    emit();
  },
  snapshot(): readonly ActionDialog[] {
    return open;
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
