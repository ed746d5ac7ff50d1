import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import { backgroundErrors, createQueryClient } from "./client";

describe("background failures", () => {
  it("a refetch that fails while data is shown is reported; a failed first load is not", async () => {
    const client = createQueryClient();
    const seen = vi.fn();
    const stop = backgroundErrors.subscribe(seen);
    const boom = new ApiError(403, "AccessError", "no longer allowed", [], null);
    await client.fetchQuery({ queryKey: ["first"], queryFn: () => Promise.reject(boom) }).catch(() => {});
    expect(seen).not.toHaveBeenCalled();
    client.setQueryData(["shown"], { rows: 1 });
    await client.fetchQuery({ queryKey: ["shown"], queryFn: () => Promise.reject(boom), staleTime: 0 }).catch(() => {});
    expect(seen).toHaveBeenCalledWith(boom);
    stop();
  });
});
