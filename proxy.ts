import { NextResponse, type NextRequest } from "next/server";
import { ShopError } from "@/lib/base/shop-error";
import { formBodyProblem, MAX_ACTION_BODY_BYTES, textBodyProblem } from "@/lib/http/action-request";
import { errorResponse } from "@/lib/http/error-response";
import { FLASH_COOKIE, FLASH_HEADER } from "@/lib/http/flash";
import { hasMalformedEscape } from "@/lib/http/raw-request";
import { isCrossSite } from "@/lib/http/same-origin";

/**
 * Refuses, with a 4xx, the requests Next itself would answer with a 500 before any route code
 * runs: a path with a malformed `%` escape, and server-action calls that are cross-site, too
 * large, malformed or too deeply nested. The matcher keeps everything else, above all the
 * add-to-cart API of a drop, from running this at all. (TRACE cannot be refused here: Next
 * cannot build a Request for it, so it fails before calling this; see lib/http/raw-request.ts.)
 */
export async function proxy(request: NextRequest): Promise<Response> {
  const problem = hasMalformedEscape(rawPath(request))
    ? new ShopError("invalid_request", "The address holds a malformed % escape.")
    : isServerAction(request)
      ? await serverActionProblem(request)
      : null;
  if (problem) return errorResponse(problem);
  return withFlash(request);
}

/**
 * A plain form's one-time message (lib/http/flash.ts): the page load that follows its redirect
 * gets it as a request header, and the cookie is dropped so the next load does not repeat it. A
 * cookie deleted here would be hidden from the page itself (Next applies a proxy's cookies to
 * the request), hence the header; one sent by the client is never passed on.
 */
function withFlash(request: NextRequest): Response {
  const headers = new Headers(request.headers);
  headers.delete(FLASH_HEADER);
  const flash = request.cookies.get(FLASH_COOKIE)?.value;
  const isPageLoad = request.method === "GET" && (request.headers.get("accept") ?? "").includes("text/html");
  if (!flash || !isPageLoad) return NextResponse.next({ request: { headers } });
  headers.set(FLASH_HEADER, flash);
  const response = NextResponse.next({ request: { headers } });
  response.cookies.set(FLASH_COOKIE, "", { path: "/", maxAge: 0 });
  return response;
}

export const config = {
  matcher: [
    // Any path holding an escape (Next matches the raw and the decoded path).
    "/:path(.*%.*)",
    // Server actions: fetch calls carry Next-Action; forms posted without JavaScript are multipart.
    { source: "/:path*", has: [{ type: "header", key: "next-action" }] },
    { source: "/:path*", has: [{ type: "header", key: "content-type", value: "multipart/form-data.*" }] },
    // A page load after a plain form's redirect, to hand its one-time message to the page
    // (FLASH_COOKIE, FLASH_HEADER), and any request that claims to carry one.
    { source: "/:path*", has: [{ type: "cookie", key: "flash" }] },
    { source: "/:path*", has: [{ type: "header", key: "x-holdcart-flash" }] },
  ],
};

/** The path as sent, before Next decodes anything. */
const rawPath = (request: NextRequest): string => new URL(request.url).pathname;

const isServerAction = (request: NextRequest): boolean =>
  request.method === "POST" &&
  (request.headers.has("next-action") || /^multipart\/form-data/i.test(request.headers.get("content-type") ?? ""));

const tooLarge = () =>
  new ShopError("payload_too_large", `A server action's body must be at most ${MAX_ACTION_BODY_BYTES} bytes.`);

async function serverActionProblem(request: NextRequest): Promise<ShopError | null> {
  if (isCrossSite(request.headers)) return new ShopError("forbidden", "Cross-site requests are not allowed.");
  if (Number(request.headers.get("content-length") ?? "0") > MAX_ACTION_BODY_BYTES) return tooLarge();
  const body = await readCapped(request, MAX_ACTION_BODY_BYTES);
  if (body === null) return tooLarge();
  const type = request.headers.get("content-type") ?? "";
  let problem;
  if (/^multipart\/form-data/i.test(type)) {
    const form = await new Response(body, { headers: { "content-type": type } }).formData().catch(() => null);
    problem = form ? formBodyProblem(form) : "malformed";
  } else {
    problem = textBodyProblem(new TextDecoder().decode(body));
  }
  if (problem === "too_deep") return new ShopError("invalid_request", "The action's arguments nest too deeply.");
  if (problem === "malformed") return new ShopError("invalid_request", "The action's body is malformed.");
  return null;
}

/** The body, or null past `limit` bytes (a chunked body announces no length). */
async function readCapped(request: NextRequest, limit: number): Promise<ArrayBuffer | null> {
  if (!request.body) return new ArrayBuffer(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  const body = new Uint8Array(size);
  chunks.reduce((offset, chunk) => (body.set(chunk, offset), offset + chunk.byteLength), 0);
  return body.buffer;
}
