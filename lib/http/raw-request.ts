import type { IncomingHttpHeaders } from "node:http";
import { ShopError } from "../base/shop-error";
import { MAX_ACTION_BODY_BYTES } from "./action-request";

/**
 * Checks on the request line (method, path) that Next answers with a 500 before any route
 * code runs. Free of Next, so the same rule serves proxy.ts and a plain Node server in front
 * of Next.
 */

/**
 * True when the path holds a `%` escape that does not decode (`%ff`, `%`, `%zz`): Next fails
 * to decode it into a route's params and, with no Pages Router error page to render, answers
 * 500 instead of 400 (vercel/next.js#92557).
 */
export function hasMalformedEscape(path: string): boolean {
  if (!path.includes("%")) return false;
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

/**
 * Methods the fetch standard forbids, so Next cannot even build its Request for them (nor run
 * proxy.ts): it answers a 500. Only a server in front of Next can refuse them.
 */
const FORBIDDEN_METHODS = new Set(["TRACE", "TRACK", "CONNECT"]);

/**
 * What is wrong with a request line Next would fail on, or null to pass it on. A server in
 * front of Next answers the error as any other (a 405 also names the methods in `Allow`).
 */
export function requestLineProblem(method: string, url: string): ShopError | null {
  if (FORBIDDEN_METHODS.has(method.toUpperCase())) {
    return new ShopError("method_not_allowed", `${method.toUpperCase()} is not supported.`);
  }
  if (hasMalformedEscape(url.split("?")[0] ?? url)) {
    return new ShopError("invalid_request", "The address holds a malformed % escape.");
  }
  return null;
}

/**
 * The request target in origin form (`/path?query`). A client may send the absolute form
 * (`GET http://host/path`, RFC 9112 section 3.2.2, which proxies use); it is answered only when it
 * names this very host (the Host header), rewritten to the origin form, since Next would otherwise
 * build its URLs, redirects included, on the host the client named. Null: another host.
 */
export function originForm(target: string, host: string | undefined): string | null {
  if (target.startsWith("/") || target === "*") return target;
  try {
    const url = new URL(target);
    if ((url.protocol === "http:" || url.protocol === "https:") && host && url.host === host.toLowerCase()) {
      return `${url.pathname}${url.search}`;
    }
  } catch {
    // not a URL at all
  }
  return null;
}

/** The largest body any route or server action of the store takes: a server action's. */
export const MAX_REQUEST_BODY_BYTES = MAX_ACTION_BODY_BYTES;

/**
 * What is wrong with a request's declared body, decided from its headers before a byte of it is
 * read: longer than any route takes (413 at once, rather than after the framework has buffered
 * what a slow client sends), or a body of no declared length (411: browsers and scripts alike
 * send Content-Length; a chunked body would have to be read to be measured). Null: fine.
 */
export function declaredBodyProblem(
  method: string,
  contentLength: string | undefined,
  transferEncoding: string | undefined,
): ShopError | null {
  if (contentLength === undefined) {
    return transferEncoding !== undefined && !["GET", "HEAD"].includes(method.toUpperCase())
      ? new ShopError("length_required", "Send the body with a Content-Length.")
      : null;
  }
  const declared = Number(contentLength);
  if (!Number.isSafeInteger(declared) || declared < 0) {
    return new ShopError("invalid_request", "The Content-Length is not a length.");
  }
  if (declared > MAX_REQUEST_BODY_BYTES) {
    return new ShopError("payload_too_large", `The body may be at most ${MAX_REQUEST_BODY_BYTES} bytes.`, {
      maxBytes: MAX_REQUEST_BODY_BYTES,
    });
  }
  return null;
}

/** A Node request's headers read as a fetch `Headers` is (`get`: several values joined, null when absent). */
export const headersOf = (headers: IncomingHttpHeaders): Pick<Headers, "get"> => ({
  get: (name) => {
    const value = headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(", ") : (value ?? null);
  },
});
