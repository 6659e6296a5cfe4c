import "server-only";
import { parseProductId } from "./request";

/**
 * What a request for the live stock stream (`GET /api/stock/stream?ids=1,2`) asks for, and the
 * head of its answer: one reading for both of its servers, the door of the production web server
 * (lib/http/door/stock-stream.ts) and Next's route (app/api/stock/stream, under `npm run dev`).
 */

/** At most this many products on one stream; ids past it are ignored. */
const MAX_IDS = 200;

export const STOCK_STREAM_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store, no-transform",
  "x-accel-buffering": "no",
} as const;

/** The distinct product ids of the `ids` parameter; throws `invalid_request` for one that is not an id. */
export function streamedProductIds(search: URLSearchParams): number[] {
  const raw = search.get("ids") ?? "";
  return [...new Set(raw.split(",").filter(Boolean).slice(0, MAX_IDS).map(parseProductId))];
}
