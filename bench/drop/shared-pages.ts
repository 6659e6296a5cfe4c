import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { value } from "../../tests/support/prometheus";

/**
 * The shared pages' views by how they were answered, and Next's renders of them, from the web's
 * `holdcart_shared_page_*` counters (lib/pages/page-metrics.ts; the cluster's scrape sums its
 * processes): how many renders the rush cost, and how many views were sent a render behind.
 */
export type SharedPageFigures = { renders: number; hit: number; miss: number; stale: number };

/** The counters in one scrape of the web (Prometheus text). */
export function sharedPageFigures(text: string): SharedPageFigures {
  const scrape = new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family]));
  const views = (source: string) => value(scrape, "holdcart_shared_page_views_total", { source });
  return {
    renders: value(scrape, "holdcart_shared_page_renders_total"),
    hit: views("hit"),
    miss: views("miss"),
    stale: views("stale"),
  };
}
