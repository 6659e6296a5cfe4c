/**
 * The shared pages' views by how they were answered, and Next's renders of them, from the web's
 * `holdcart_shared_page_*` counters (lib/pages/page-metrics.ts; the cluster's scrape sums its
 * processes): how many renders the rush cost, and how many views were sent a render behind.
 */
export type SharedPageFigures = { renders: number; hit: number; miss: number; stale: number };

const LINE = /^holdcart_shared_page_(views|renders)_total(?:\{source="(\w+)"\})? (\S+)/;

/** The counters in one scrape of the web (Prometheus text). */
export function sharedPageFigures(scrape: string): SharedPageFigures {
  const figures: SharedPageFigures = { renders: 0, hit: 0, miss: 0, stale: 0 };
  for (const line of scrape.split("\n")) {
    const match = LINE.exec(line);
    if (!match) continue;
    const value = Number(match[3]);
    if (match[1] === "renders") figures.renders += value;
    else if (match[2] === "hit" || match[2] === "miss" || match[2] === "stale") figures[match[2]] += value;
  }
  return figures;
}
