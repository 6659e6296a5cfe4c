import { inArray } from "drizzle-orm";
import { db } from "@/lib/db/client";
import { inventory } from "@/lib/db/schema";
import { errorResponse } from "@/lib/http/errors";
import { parseProductId } from "@/lib/http/request";
import { onStockChange } from "@/lib/inventory/stock-feed";
import type { StockChange } from "@/lib/inventory/stock-events";

const MAX_IDS = 200;
const KEEPALIVE_MS = 15_000;

/**
 * Server-sent events: first the current `available` of the requested products (closing the gap
 * between the page render and this stream), then every change to them as it happens.
 */
export async function GET(request: Request): Promise<Response> {
  let ids: number[];
  let snapshot: StockChange[];
  try {
    const raw = new URL(request.url).searchParams.get("ids") ?? "";
    ids = [...new Set(raw.split(",").filter(Boolean).slice(0, MAX_IDS).map(parseProductId))];
    snapshot =
      ids.length === 0
        ? []
        : await db()
            .select({ productId: inventory.productId, available: inventory.available })
            .from(inventory)
            .where(inArray(inventory.productId, ids));
  } catch (error) {
    return errorResponse(error);
  }
  const wanted = new Set(ids);
  const encoder = new TextEncoder();
  let stop = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (changes: StockChange[]) => {
        const mine = changes.filter((c) => wanted.has(c.productId));
        if (mine.length > 0) controller.enqueue(encoder.encode(`data: ${JSON.stringify(mine)}\n\n`));
      };
      const unsubscribe = onStockChange(send);
      const keepalive = setInterval(() => controller.enqueue(encoder.encode(": keepalive\n\n")), KEEPALIVE_MS);
      stop = () => {
        unsubscribe();
        clearInterval(keepalive);
      };
      controller.enqueue(encoder.encode("retry: 2000\n\n"));
      send(snapshot);
      request.signal.addEventListener("abort", () => {
        stop();
        try {
          controller.close();
        } catch {
          // already closed
        }
      });
    },
    cancel() {
      stop();
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store, no-transform",
      "x-accel-buffering": "no",
    },
  });
}
