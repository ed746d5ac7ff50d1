/**
 * The session: tenant and tokens, kept in localStorage so a reload stays logged in, shared by
 * every tab (a `storage` event tells the others). Only `api/http.ts` reads the tokens.
 */

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_at?: string;
  refresh_expires_at?: string;
}

const TOKENS = "fullfinity.tokens";
const TENANT = "fullfinity.tenant";

type Listener = () => void;
const listeners = new Set<Listener>();

function storage(): Storage | null {
  try {
    return typeof window !== "undefined" ? window.localStorage : null;
  } catch {
    return null;
  }
}

export const session = {
  tokens(): Tokens | null {
    const raw = storage()?.getItem(TOKENS);
    if (!raw) return null;
    try {
      return JSON.parse(raw) as Tokens;
    } catch {
      return null;
    }
  },
  setTokens(tokens: Tokens | null): void {
    const s = storage();
    if (tokens) s?.setItem(TOKENS, JSON.stringify(tokens));
    else s?.removeItem(TOKENS);
    listeners.forEach((l) => l());
  },
  tenant(): string | null {
    return storage()?.getItem(TENANT) ?? null;
  },
  setTenant(name: string | null): void {
    if (name) storage()?.setItem(TENANT, name);
    else storage()?.removeItem(TENANT);
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    const onStorage = (e: StorageEvent): void => { if (e.key === TOKENS) listener(); };
    window.addEventListener("storage", onStorage);
    return () => { listeners.delete(listener); window.removeEventListener("storage", onStorage); };
  },
};
