import "server-only";
import type { ServerResponse } from "node:http";
import { apiHeaders } from "../error-response";

/** Answers `body` as JSON with the head every route of the API answers with (`json` of lib/http/handler.ts). */
export function writeJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return; // the client left while it was being read: nobody reads the answer
  const text = JSON.stringify(body); // before the head: a body that cannot be written is refused whole
  res.writeHead(status, { ...apiHeaders(status), "content-type": "application/json", ...headers });
  res.end(text);
}
