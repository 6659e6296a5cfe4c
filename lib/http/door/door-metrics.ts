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
