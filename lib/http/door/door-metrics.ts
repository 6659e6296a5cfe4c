import "server-only";
import { Counter } from "prom-client";
import { once } from "../../base/metrics-registry";

/** Why the door answered a request itself, before Next ran. */
export type DoorReason = "over_rate" | "stream_cap" | "new_carts" | "not_released" | "sold_out";

/**
 * Requests the door refused, by reason: what a drop's bots cost the store without reaching Next.
 * Per process; a cluster's scrape sums them (lib/metrics/cluster.ts).
 */
export function doorRefusals(): Record<DoorReason, { inc: () => void }> {
  return once("doorRefusals", (registry) => {
    const counter = new Counter({
      name: "holdcart_door_refusals_total",
      help: "Requests refused by the web server before Next ran: over_rate (the per-client rate), stream_cap (a client at its cap of stock streams, or the process at its MAX_STREAMS), new_carts (a client whose new carts are refused for the rest of the minute), not_released and sold_out (an add to a new cart of a drop not yet open, or of a product sold out, as this process knows).",
      labelNames: ["reason"] as const,
      registers: [registry],
    });
    // Children made once: counting a refusal is then an addition, not a lookup of its labels.
    return {
      over_rate: counter.labels("over_rate"),
      stream_cap: counter.labels("stream_cap"),
      new_carts: counter.labels("new_carts"),
      not_released: counter.labels("not_released"),
      sold_out: counter.labels("sold_out"),
    };
  });
}

/** What the door serves itself, Next never running for it. */
export type DoorServed = "stock_stream" | "line_read" | "line_join";

/**
 * Requests the door served itself (lib/http/door/stock-stream.ts, line-read.ts, line-join.ts): the
 * live stock stream, the read of the line and joining it, which need nothing of Next's. Per process, like the refusals.
 */
export function doorServed(): Record<DoorServed, { inc: () => void }> {
  return once("doorServed", (registry) => {
    const counter = new Counter({
      name: "holdcart_door_served_total",
      help: "Requests the web server answered itself, without Next: stock_stream (GET or HEAD /api/stock/stream) and line_read (GET /api/waitlist, with or without ?wait), line_join (POST /api/waitlist).",
      labelNames: ["request"] as const,
      registers: [registry],
    });
    return {
      stock_stream: counter.labels("stock_stream"),
      line_read: counter.labels("line_read"),
      line_join: counter.labels("line_join"),
    };
  });
}
