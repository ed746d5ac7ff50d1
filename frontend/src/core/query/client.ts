/**
 * The one QueryClient, tuned for always-fresh data (views.md 14.4). A refetch that fails while
 * the screen still shows the earlier answer (a background refresh) is reported on the
 * `backgroundErrors` channel, which the shell turns into a notification: a first load that fails
 * is shown by the screen itself.
 */
import { QueryCache, QueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/errors";

type Listener = (error: unknown) => void;
const listeners = new Set<Listener>();

export const backgroundErrors = {
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export function createQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (query.state.data === undefined || (error as Error).name === "AbortError") return;
        listeners.forEach((l) => l(error));
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 0,
        gcTime: 0,
        // A 4xx is an answer, not a glitch: only network failures and 5xx are retried once.
        retry: (count, error) => count < 1 && !(error instanceof ApiError && error.status < 500),
        refetchOnWindowFocus: false,
        refetchOnReconnect: true,
        refetchOnMount: true,
      },
      mutations: { retry: 0 },
    },
  });
}

export const queryClient = createQueryClient();
