import "server-only";
import { log, reason } from "../base/log";
import { ShopError, type ShopErrorCode } from "../base/shop-error";
import { noteBackendUnavailable } from "./backend-outage";

/** The one place where domain error codes become HTTP statuses. */
const STATUS: Record<ShopErrorCode, number> = {
  invalid_request: 400,
  invalid_quantity: 400,
  variant_required: 400,
  unauthorized: 401,
  forbidden: 403,
  unknown_product: 404,
  cart_not_found: 404,
  not_found: 404,
  method_not_allowed: 405,
  insufficient_stock: 409,
  cart_empty: 409,
  cart_changed: 409,
  extension_refused: 409,
  in_stock: 409,
  already_waiting: 409,
  already_holding: 409,
  not_released: 409,
  slug_taken: 409,
  option_taken: 409,
  not_in_variants: 409,
  cart_expired: 410,
  product_archived: 410,
  length_required: 411,
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
 * Redis error replies by which a running server refuses work for a while: out of memory under
 * `noeviction` (OOM), a replica (READONLY), loading its data (LOADING), a replica without its
 * master (MASTERDOWN), a cluster without all its slots or mid-resharding (CLUSTERDOWN, TRYAGAIN),
 * a long script (BUSY), too few replicas to write (NOREPLICAS), a failed snapshot (MISCONF).
 * The prefix opens the reply; Redis 6 wraps a script's error as `... @user_script:2: -OOM ...`.
 */
const REDIS_REFUSAL = /(?:^|: -)(?:OOM|READONLY|LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|NOREPLICAS|MISCONF) /;

type ErrorLike = { name?: string; code?: unknown; message?: string; cause?: unknown };

/** The error and the causes it wraps (drizzle wraps the driver's error), outermost first. */
function* causeChain(error: unknown): Generator<ErrorLike> {
  let e = error as ErrorLike | undefined;
  for (let depth = 0; e && typeof e === "object" && depth < 5; depth += 1) {
    yield e;
    e = e.cause as ErrorLike | undefined;
  }
}

const codeOf = (e: ErrorLike): string => (typeof e.code === "string" ? e.code : "");

/**
 * True for failures of Redis or Postgres themselves (down, unreachable, restarting, out of
 * memory, read-only, shedding load), as opposed to a bug: those answer 503 so clients retry.
 */
export function isBackendUnavailable(error: unknown): boolean {
  for (const e of causeChain(error)) {
    const code = codeOf(e);
    if (NETWORK_CODES.has(code)) return true;
    // SQLSTATE classes: 08 connection, 53 resources (disk full, out of memory, too many
    // connections), 57 operator intervention (shutdown, terminated); 25006: a read-only standby;
    // 40001/40P01 serialization failure, deadlock; 55P03: a ledger function's lock_timeout.
    if (/^(08|53|57)/.test(code) || ["25006", "40001", "40P01", "55P03"].includes(code)) return true;
    if (e.name === "MaxRetriesPerRequestError" || e.name === "ClusterAllFailedError") return true;
    if (e.name === "ReplyError" && REDIS_REFUSAL.test(e.message ?? "")) return true;
    if (/Connection is closed|enableOfflineQueue|Command timed out|Stream isn't writeable/.test(e.message ?? "")) {
      return true;
    }
  }
  return false;
}

/**
 * True when Postgres refused a value it cannot store (SQLSTATE class 22, data exception: a
 * number out of range, a string too long...): the request asked for it, so it is a 400.
 */
export const isUnstorableValue = (error: unknown): boolean => dataException(error) !== undefined;

const dataException = (error: unknown): ErrorLike | undefined =>
  [...causeChain(error)].find((e) => /^22[0-9A-Z]{3}$/.test(codeOf(e)));

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
    log.error("backend_unavailable", { error: `${reason(error)}${detail}` });
    noteBackendUnavailable();
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
  const refused = dataException(error);
  if (refused) {
    log.warn("value_refused_by_database", { code: codeOf(refused), error: reason(refused) });
    return {
      status: 400,
      body: {
        error: { code: "invalid_request", message: "A value in the request is out of the range the store can keep." },
      },
    };
  }
  log.error("unexpected_error", { error: reason(error), stack: (error as Error)?.stack });
  return { status: 500, body: { error: { code: "internal_error", message: "Something went wrong on our side." } } };
}

/**
 * Seconds a refused client should wait: the error's own `retryAfter` when it gives one, else
 * RETRY_AFTER_SECONDS for a backend that is briefly down and 60 for a rate limit (they count
 * per minute).
 */
function retryAfterOf(status: number, body?: ErrorBody): number | null {
  if (status !== 429 && status !== 503) return null;
  const given = body?.error.retryAfter;
  if (typeof given === "number") return given;
  return status === 503 ? RETRY_AFTER_SECONDS : 60;
}

/** Seconds a client should wait before retrying after a 503: backends here recover in about that. */
export const RETRY_AFTER_SECONDS = 1;

/** Response headers for an API answer; every 429 and 503 tells the client when to retry. */
export function apiHeaders(status: number, body?: ErrorBody): Record<string, string> {
  const headers: Record<string, string> = { "cache-control": "no-store" };
  const retryAfter = retryAfterOf(status, body);
  if (retryAfter !== null) headers["retry-after"] = String(retryAfter);
  return headers;
}

export function errorResponse(error: unknown): Response {
  const { status, body } = describeError(error);
  return Response.json(body, { status, headers: apiHeaders(status, body) });
}
