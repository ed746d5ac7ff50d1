/** The one error shape of the API (api.md 7.1), as a JavaScript error. */

export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }

  /** Messages by field path (`lines.2.quantity`), for showing each under its field. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of this.details) if (d.path) out[d.path] = out[d.path] ? `${out[d.path]} ${d.message}` : d.message;
    return out;
  }

  get isConflict(): boolean {
    return this.status === 409 && this.type === "ConcurrencyError";
  }
}

/** A network failure (server down, connection refused): no HTTP answer at all. */
export class NetworkError extends Error {
  override name = "NetworkError";
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const extra = error.details.filter((d) => d.message && !d.path).map((d) => d.message);
    return [error.message, ...extra].join(" ");
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
