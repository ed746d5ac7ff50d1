/** The one QueryClient, tuned for always-fresh data (views.md 14.4). */
import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/errors";

export function createQueryClient(): QueryClient {
  return new QueryClient({
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
