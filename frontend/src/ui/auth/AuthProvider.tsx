import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from "react";
import { api } from "../../core/api/http";
import type { Profile } from "../../core/api/shapes";
import { session } from "../../core/auth/session";
import { queryKeys } from "../../core/query/keys";

interface Auth {
  loggedIn: boolean;
  profile: Profile | null;
  login: (email: string, password: string, tenant?: string | null) => Promise<void>;
  logout: () => Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }): ReactNode {
  const client = useQueryClient();
  const tokens = useSyncExternalStore(session.subscribe, () => session.tokens()?.access_token ?? null, () => null);
  const loggedIn = tokens !== null;
  const profile = useQuery({ queryKey: queryKeys.profile(), queryFn: () => api.profile(), enabled: loggedIn, gcTime: Infinity, staleTime: Infinity });

  useEffect(() => api.onSessionExpired(() => client.clear()), [client]);

  const login = useCallback(async (email: string, password: string, tenant?: string | null) => {
    if (tenant !== undefined) session.setTenant(tenant);
    const answer = await api.login(email, password);
    client.clear();
    session.setTokens(answer);
  }, [client]);

  const logout = useCallback(async () => {
    // Forget the session first: no query may start (or refetch) with tokens being revoked.
    const tokens = session.tokens();
    await client.cancelQueries();
    session.setTokens(null);
    client.clear();
    if (tokens) {
      try { await api.logout(tokens); } catch { /* the session ends here anyway */ }
    }
  }, [client]);

  const value = useMemo(() => ({ loggedIn, profile: profile.data ?? null, login, logout }), [loggedIn, profile.data, login, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth() needs an <AuthProvider> above it");
  return auth;
}
