import "server-only";
import { ShopError, type ShopErrorCode } from "../errors";

/** The one place where domain error codes become HTTP statuses. */
const STATUS: Record<ShopErrorCode, number> = {
  invalid_request: 400,
  invalid_quantity: 400,
  unauthorized: 401,
  forbidden: 403,
  unknown_product: 404,
  cart_not_found: 404,
  not_found: 404,
  insufficient_stock: 409,
  cart_empty: 409,
  cart_expired: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  cart_limit: 422,
  rate_limited: 429,
  hold_limit: 429,
  internal_error: 500,
  service_unavailable: 503,
};

export const statusOf = (code: ShopErrorCode): number => STATUS[code];

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/**
 * True for failures of Redis or Postgres themselves (down, unreachable, restarting, shedding
 * load), as opposed to a bug: those answer 503 so clients know to retry.
 */
export function isBackendUnavailable(error: unknown): boolean {
  for (
    let e = error as { name?: string; code?: unknown; message?: string; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth += 1
  ) {
    const code = typeof e.code === "string" ? e.code : "";
    if (NETWORK_CODES.has(code)) return true;
    // SQLSTATE classes: 08 connection, 53 resources, 57 operator intervention (shutdown, terminated).
    if (/^(08|53|57)/.test(code) || code === "40001" || code === "40P01") return true;
    if (e.name === "MaxRetriesPerRequestError") return true;
    if (/Connection is closed|enableOfflineQueue|Command timed out|Stream isn't writeable/.test(e.message ?? "")) {
      return true;
    }
  }
  return false;
}

export type ErrorBody = { error: { code: ShopErrorCode; message: string } & Record<string, unknown> };

/** Turns anything thrown into a status and a JSON body; never a stack trace. */
export function describeError(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof ShopError) {
    return {
      status: statusOf(error.code),
      body: { error: { code: error.code, message: error.message, ...error.details } },
    };
  }
  if (isBackendUnavailable(error)) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause ? ` (${cause.code ?? ""} ${cause.message ?? ""})` : "";
    console.error(`[http] backend unavailable: ${(error as Error).message?.split("\n")[0]}${detail}`);
    return {
      status: 503,
      body: {
        error: {
          code: "service_unavailable",
          message: "The store is briefly unavailable. Nothing was changed; please try again.",
        },
      },
    };
  }
  console.error("[http] unexpected error", error);
  return { status: 500, body: { error: { code: "internal_error", message: "Something went wrong on our side." } } };
}

/**
 * Seconds a refused client should wait: the error's own `retryAfter` when it gives one, else 1 for
 * a backend that is briefly down and 60 for a rate limit (they count per minute).
 */
function retryAfterOf(status: number, body: ErrorBody): number | null {
  if (status !== 429 && status !== 503) return null;
  const given = body.error.retryAfter;
  if (typeof given === "number") return given;
  return status === 503 ? 1 : 60;
}

export function errorResponse(error: unknown): Response {
  const { status, body } = describeError(error);
  const headers: Record<string, string> = { "cache-control": "no-store" };
  const retryAfter = retryAfterOf(status, body);
  if (retryAfter !== null) headers["retry-after"] = String(retryAfter);
  return Response.json(body, { status, headers });
}
