import "server-only";
import { Counter } from "prom-client";
import { once } from "../../base/metrics-registry";

const REASONS = ["over_rate", "stream_cap", "new_carts", "not_released", "sold_out"] as const;
/** Why the door answered a request itself, before Next ran. */
export type DoorReason = (typeof REASONS)[number];

const SERVED = ["stock_stream", "line_read", "line_join", "hold_read", "static_file"] as const;
/** What the door serves itself, Next never running for it. */
export type DoorServed = (typeof SERVED)[number];

/**
 * Requests the door refused, by reason: what a drop's bots cost the store without reaching Next.
 * Per process; a cluster's scrape sums them (lib/metrics/cluster.ts).
 */
export const doorRefusals = () =>
  doorCounter(
    "holdcart_door_refusals_total",
    "Requests refused by the web server before Next ran: over_rate (the per-client rate), stream_cap (a client at its cap of stock streams, or the process at its MAX_STREAMS), new_carts (a client whose new carts are refused for the rest of the minute), not_released and sold_out (an add to a new cart of a drop not yet open, or of a product sold out, as this process knows).",
    "reason",
    REASONS,
  );

/**
 * Requests the door served itself (lib/http/door/stock-stream.ts, line-read.ts, line-join.ts,
 * hold-read.ts, static-files.ts): the live stock stream, the read of the line and joining it, the
 * read of the hold, the build's scripts and styles and the files of public/, which need nothing of
 * Next's. Per process, like the refusals.
 */
export const doorServed = () =>
  doorCounter(
    "holdcart_door_served_total",
    "Requests the web server answered itself, without Next: stock_stream (GET or HEAD /api/stock/stream), line_read (GET /api/waitlist, with or without ?wait), line_join (POST /api/waitlist), hold_read (GET /api/hold), static_file (a file of the build's /_next/static/ or of public/, or the app's icon, or its 304).",
    "request",
    SERVED,
  );

/** A counter of the process's registry with one label, its children made once. */
function doorCounter<L extends string>(
  name: string,
  help: string,
  label: string,
  values: readonly L[],
): Record<L, { inc: () => void }> {
  return once(name, (registry) => {
    const counter = new Counter({ name, help, labelNames: [label], registers: [registry] });
    // Children made once: counting is then an addition, not a lookup of the labels.
    return Object.fromEntries(values.map((v) => [v, counter.labels(v)])) as Record<L, { inc: () => void }>;
  });
}
