import "server-only";
import type { ServerResponse } from "node:http";
import { apiHeaders, describeError } from "../error-response";
import { ShopError } from "../../shop-error";

/** Answers a request the door refuses, as the routes answer their own errors (lib/http/error-response.ts). */
export function writeRefusal(res: ServerResponse, error: unknown, headers: Record<string, string> = {}): void {
  const { status, body } = describeError(error);
  res.writeHead(status, { ...apiHeaders(status, body), "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export const overRate = (retryAfter: number) =>
  new ShopError("rate_limited", "Too many requests from your network. Please wait a moment and try again.", {
    retryAfter,
  });
