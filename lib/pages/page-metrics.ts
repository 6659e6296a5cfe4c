import "server-only";
import { Counter } from "prom-client";
import { once } from "../base/metrics-registry";
import type { ViewSource } from "./page-cache";

/**
 * The shared pages' views by how they were answered, and the renders Next made of them
 * (lib/pages/shared-pages.ts). Per process; a cluster's scrape sums them (lib/metrics/cluster.ts).
 */
export function pageMetrics(): { viewed: Record<ViewSource, { inc: () => void }>; rendered: { inc: () => void } } {
  return once("sharedPages", (registry) => {
    const views = new Counter({
      name: "holdcart_shared_page_views_total",
      help: "Views of the pages every shopper without a cart shares (the catalog, a product page), by how they were answered: hit (the render of the page as it is), miss (a render the view waited for), stale (the newest render, the one after a change not being ready in time).",
      labelNames: ["source"] as const,
      registers: [registry],
    });
    const renders = new Counter({
      name: "holdcart_shared_page_renders_total",
      help: "Renders of the shared pages by Next, each answering every view of its page until the next stock or catalog change.",
      registers: [registry],
    });
    return {
      viewed: { hit: views.labels("hit"), miss: views.labels("miss"), stale: views.labels("stale") },
      rendered: renders,
    };
  });
}
