/** The drop's result as the markdown docs/drop.md shows. */
import { SENT_WINDOWS, type DropResult } from "./drop";

const n = (v: number | null | undefined) => (v === null || v === undefined ? "–" : v.toLocaleString("en"));
const pair = (a: number | null, b: number | null) => `${n(a)} / ${n(b)}`;
const share = (part: number, whole: number) => (whole > 0 ? ` (${Math.round((part / whole) * 100)}%)` : "");

export function toMarkdown(r: DropResult, { machine, command }: { machine: string; command: string }): string {
  const o = r.options;
  const unitSeconds = r.held.unitSeconds.shopper + r.held.unitSeconds.bot + r.held.unitSeconds.other;
  const status = (actor: "shopper" | "bot") => {
    const counts = r.requests.byActor[actor];
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const fivexx = Object.entries(counts)
      .filter(([s]) => Number(s) >= 500)
      .reduce((a, [, c]) => a + c, 0);
    return `${n(total)} (${n(fivexx)})`;
  };
  const line = r.line;
  const cpu = r.monitor.cpuPercent;
  const sound = r.violations.length === 0;
  const refusalRows = Object.entries(r.requests.refusals)
    .sort(([, a], [, b]) => b.shopper + b.bot - (a.shopper + a.bot))
    .map(([code, c]) => `| ${code} | ${n(c.shopper)} | ${n(c.bot)} |`);

  return [
    `## Drop rehearsal, ${o.mode === "draw" ? `a draw (released ${o.releaseSeconds} s after the opening)` : "a race (on sale from the opening)"}: ${n(o.units)} units, ${n(o.shoppers)} shoppers, ${n(o.bots)} bots, ${o.seconds} s`,
    ``,
    `${machine}; \`${command}\`; ${r.startedAt}. Holds of ${o.holdSeconds} s (offers ${o.offerSeconds} s), ` +
      `shoppers arriving over ${o.arrivalSeconds} s, ${o.botLoops} add loops and bursts of ${o.botStreamBurst} abandoned streams per bot, ${o.workers} workers, ` +
      `SWEEP_INTERVAL_MS=${o.sweepIntervalMs}, seed ${o.seed}; per-client defenses at their defaults ` +
      `(at most ${r.caps.maxQtyPerLine} units of the product per client${o.perShopperLimit ? ", its limit per shopper" : ""}, ${r.limits.NEW_CARTS_PER_IP_PER_MINUTE} new carts a minute, ` +
      `${r.limits.MAX_STREAMS_PER_CLIENT} streams, TRUSTED_PROXY_HOPS=${r.limits.TRUSTED_PROXY_HOPS}).`,
    ``,
    `|  | shoppers | bots |`,
    `| --- | ---: | ---: |`,
    `| units sold | ${n(r.sold.shoppers)} | ${n(r.sold.bots)} |`,
    ...(r.draw ? drawRows(r) : []),
    `| units that went into their carts | ${n(r.held.unitsHeld.shopper)} | ${n(r.held.unitsHeld.bot)} |`,
    `| unit-seconds held | ${n(r.held.unitSeconds.shopper)}${share(r.held.unitSeconds.shopper, unitSeconds)} | ${n(r.held.unitSeconds.bot)}${share(r.held.unitSeconds.bot, unitSeconds)} |`,
    `| most units held at once, all together | ${n(r.held.peakHeld.shopper)} | ${n(r.held.peakHeld.bot)} |`,
    `| most units one client held (cap ${r.caps.maxQtyPerLine}) | ${n(r.held.maxHeldByOneClient.shopper)} | ${n(r.held.maxHeldByOneClient.bot)} |`,
    `| carts started | ${n(r.held.cartsStarted.shopper)} | ${n(r.held.cartsStarted.bot)} |`,
    `| add to cart p50 / p99 ms | ${pair(r.adds.shoppers.p50, r.adds.shoppers.p99)} | ${pair(r.adds.bots.p50, r.adds.bots.p99)} |`,
    `| requests (5xx) | ${status("shopper")} | ${status("bot")} |`,
    ``,
    `| figure | value |`,
    `| --- | --- |`,
    `| sold | ${n(r.sold.shoppers + r.sold.bots + r.sold.other)} of ${n(r.sold.units)} units, ${n(r.sold.orders)} orders |`,
    `| hand-offs through the line | ${n(line.offers)} offers (${n(line.unitsOffered)} units; ${n(line.offersToBots)} to bots): ${n(line.claimed)} claimed, ${n(line.lapsed)} ran out, ${n(line.declined)} declined; ${n(line.joins)} joined the line |`,
    `| hold's deadline → units offered to the next in line, p50 / p99 / max ms (database clock) | ${pair(line.deadlineToOffer.p50, line.deadlineToOffer.p99)} / ${n(line.deadlineToOffer.max)} (${n(line.deadlineToOffer.n)} offers of expired holds; ${n(line.afterDecline)} more after a decline) |`,
    `| hold's deadline → the waiter's page knew, p50 / p99 ms | ${pair(line.deadlineToHeard.p50, line.deadlineToHeard.p99)} (${n(line.heardVia.stream)} on the stream: p50 / p99 ${pair(line.deadlineToHeardOnStream.p50, line.deadlineToHeardOnStream.p99)}; ${n(line.heardVia.longPoll)} by the long poll of a page without the stream: p50 / p99 ${pair(line.deadlineToHeardByLongPoll.p50, line.deadlineToHeardByLongPoll.p99)}; ${n(line.heardVia.noScript)} by the wait of a page without JavaScript: p50 / p99 ${pair(line.deadlineToHeardWithoutScript.p50, line.deadlineToHeardWithoutScript.p99)}; ${n(line.heardVia.onLoad)} by reading the line on load; the server ended ${n(r.shoppers.streamDrops)} waiting shoppers' streams) |`,
    `| add to cart, all: p50 / p99 ms | ${pair(r.adds.all.p50, r.adds.all.p99)} (${n(r.adds.all.n)} adds) |`,
    `| adds answered per second: best 1-s window / mean | ${n(r.adds.peakPerSecond)} / ${n(r.adds.perSecond)} |`,
    ...(r.outage
      ? [
          `| an outage: ${r.outage.what}, ${n(r.outage.atMs)} ms after the opening | the first write begun after it acknowledged ${n(r.outage.firstWriteAfterMs)} ms after it (${r.outage.firstWrite ?? "none"}); ${n(r.outage.unavailable)} answers 503 meanwhile (${n(r.outage.unavailableWithoutRetryAfter)} without Retry-After); the longest request until then ${n(r.outage.longestRequestMs)} ms |`,
        ]
      : []),
    `| 5xx${r.outage ? " (besides 503 with Retry-After)" : ""} | ${n(r.requests.serverErrors.count)}${r.requests.serverErrors.count > 0 ? ` (${JSON.stringify(r.requests.serverErrors.byStatus)})` : ""} of ${n(r.requests.total)} answers |`,
    `| web RSS start / peak / end MB | ${n(r.monitor.rssMb.start)} / ${n(r.monitor.rssMb.peak)} / ${n(r.monitor.rssMb.end)} |`,
    `| CPU over the sale, % of one core | load generator ${cpu.loadGenerator}, web ${cpu.web} (${cpu.webByProcess.length > 1 ? `primary ${cpu.webByProcess[0]}, processes ${cpu.webByProcess.slice(1).join(" + ")}` : "one process"}), workers ${cpu.workers}, Postgres (this database's backends) ${cpu.postgres}, Redis (the whole server) ${cpu.redis ?? "–"}; machine ${cpu.machine} of ${cpu.cores * 100} |`,
    `| the web's answer to GET /api/health/live (every 500 ms) p50 / p99 / max ms | ${pair(r.monitor.webLivenessMs.p50, r.monitor.webLivenessMs.p99)} / ${n(r.monitor.webLivenessMs.max)} |`,
    `| the same on a new connection each time (every 500 ms) p50 / p99 / max ms | ${pair(r.monitor.webNewConnectionMs.p50, r.monitor.webNewConnectionMs.p99)} / ${n(r.monitor.webNewConnectionMs.max)} |`,
    `| machine load average (1 min) at the start / end | ${r.monitor.loadAverage.start} / ${r.monitor.loadAverage.end} |`,
    `| load generator's event-loop delay p50 / p99 / max ms | ${r.monitor.loadGeneratorLoopDelayMs.p50} / ${r.monitor.loadGeneratorLoopDelayMs.p99} / ${r.monitor.loadGeneratorLoopDelayMs.max} |`,
    `| bots' streams opened and abandoned | ${n(r.streams.botAttempts)} (${n(r.streams.botAccepted)} accepted, the rest refused or dropped first); open after the close: ${n(r.streams.openAfterClose)} |`,
    ...(r.sharedPages
      ? [
          `| shared page views (catalog, product pages; warm-up and sale): hit / miss / stale; Next's renders of them | ${n(r.sharedPages.hit)} / ${n(r.sharedPages.miss)} / ${n(r.sharedPages.stale)}; ${n(r.sharedPages.renders)} |`,
        ]
      : []),
    `| web CPU per product page view / catalog page view / refusal at the door, ms (measured after the sale) | ${n(r.cost.productPage.cpuMs)} / ${n(r.cost.catalogPage.cpuMs)} / ${n(r.cost.refusal.cpuMs)} (${n(r.cost.refusal.n)} refusals) |`,
    `| web CPU per API request, ms (after the sale): Next's floor (a route that answers "ok") / product JSON / add refused, sold out / line joined / line read / stream opened and dropped | ${n(r.cost.api.floor.cpuMs)} / ${n(r.cost.api.product.cpuMs)} / ${n(r.cost.api.soldOutAdd.cpuMs)} / ${n(r.cost.api.lineJoin?.cpuMs)} / ${n(r.cost.api.lineRead.cpuMs)} / ${n(r.cost.api.streamOpened.cpuMs)} |`,
    `| the product's row locked per statement (invariant 12): batches n, p50 / p99 / max ms; releases n, p50 / p99 / max ms (bucket bounds) | ${n(r.rowLock.batch.n)}: ${pair(r.rowLock.batch.p50Ms, r.rowLock.batch.p99Ms)} / ${n(r.rowLock.batch.maxMs)}; ${n(r.rowLock.release.n)}: ${pair(r.rowLock.release.p50Ms, r.rowLock.release.p99Ms)} / ${n(r.rowLock.release.maxMs)} |`,
    `| longest an active cart was seen past its deadline, unreleased (bound: sweep + 1 s = ${n(o.sweepIntervalMs + 1_000)} ms) | ${n(r.monitor.maxOverdueMs)} ms |`,
    `| per-client caps (every committed change; samples every 100 ms) | ${r.caps.violations.length} over the cap; sampled: most held by one bot ${n(r.caps.sampledMaxHeld.bot)}, by one shopper ${n(r.caps.sampledMaxHeld.shopper)} (${n(r.caps.samples)} samples) |`,
    `| the line first, in order | ${line.orderViolations.length} offers out of order; ${line.freedWhileWaiting.length} units left available while someone waited |`,
    `| ledger at the close | ${r.ledger.atClose.problems.length === 0 ? "exact" : r.ledger.atClose.problems.join("; ")}: on hand ${r.ledger.atClose.onHand}, available ${r.ledger.atClose.available}, reserved ${r.ledger.atClose.reserved}, sold ${r.ledger.atClose.sold}; ${r.ledger.atClose.overdue} active carts overdue |`,
    `| ledger once every hold ended (${n(r.ledger.holdsEndedAfterMs)} ms after the close) | ${r.ledger.final.problems.length === 0 ? "exact" : r.ledger.final.problems.join("; ")}: reserved ${r.ledger.final.reserved}, sold ${r.ledger.final.sold} = ordered ${r.ledger.final.ordered}, active carts ${r.ledger.final.activeCarts}, in line ${r.ledger.final.waiting}, Redis sessions ${r.ledger.final.redisSessions} |`,
    ``,
    `| request | shoppers: n, p50 / p99 ms | bots: n, p50 / p99 ms |`,
    `| --- | ---: | ---: |`,
    ...Object.entries(r.requests.latencyByKind).map(
      ([kind, l]) =>
        `| ${kind} | ${l.shopper.n ? `${n(l.shopper.n)}: ${pair(l.shopper.p50, l.shopper.p99)}` : "–"} | ${l.bot.n ? `${n(l.bot.n)}: ${pair(l.bot.p50, l.bot.p99)}` : "–"} |`,
    ),
    ``,
    `| shoppers' requests by when they were sent (after the opening): n, p99 ms | ${SENT_WINDOWS.map((w) => w.label).join(" | ")} |`,
    `| --- | ${SENT_WINDOWS.map(() => "---:").join(" | ")} |`,
    ...Object.entries(r.requests.shoppersBySent).map(
      ([kind, byWindow]) =>
        `| ${kind} | ${SENT_WINDOWS.map(({ label }) => {
          const l = byWindow[label];
          return l?.n ? `${n(l.n)}: ${n(l.p99)}` : "–";
        }).join(" | ")} |`,
    ),
    ``,
    `| refusal | shoppers | bots |`,
    `| --- | ---: | ---: |`,
    ...refusalRows,
    ``,
    ...(Object.keys(r.webLog).length > 0
      ? [
          `The web server logged:`,
          ``,
          ...Object.entries(r.webLog).map(([line, times]) => `- ${times} × \`${line}\``),
          ``,
        ]
      : []),
    sound
      ? `Sound: nothing oversold, the ledger exact, caps and the line kept.`
      : `NOT SOUND:\n${r.violations.map((v) => `- ${v}`).join("\n")}`,
    ``,
  ].join("\n");
}

/** A draw's rows of the by-side table, then its own figures. */
function drawRows(r: DropResult): string[] {
  const d = r.draw;
  if (!d) return [];
  const entrantsShare = (bots: number) => share(bots, d.entrants);
  const offered = d.openingUnitsOffered.shopper + d.openingUnitsOffered.bot + d.openingUnitsOffered.other;
  return [
    `| entries in the draw | ${n(d.entrants - d.botEntries)} | ${n(d.botEntries)}${entrantsShare(d.botEntries)} from ${n(d.botEntryTries)} tries (${n(d.botEntriesAccepted)} accepted) |`,
    `| units offered at the opening | ${n(d.openingUnitsOffered.shopper)} | ${n(d.openingUnitsOffered.bot)}${share(d.openingUnitsOffered.bot, offered)} |`,
    `| units offered through the line over the sale | ${n(d.unitsOffered.shopper)} | ${n(d.unitsOffered.bot)} |`,
    ``,
    `| the draw | value |`,
    `| --- | --- |`,
    `| units held by anyone before the release | ${n(d.unitsHeldBeforeRelease)} |`,
    `| clients with more than one entry | ${n(d.clientsWithSeveralEntries)} |`,
    `| the bots' ranks in the draw (of ${n(d.entrants)}) | ${d.botRanks.length ? d.botRanks.join(", ") : "–"} |`,
    `| release → first offer / → every opening offer made (opened), ms, database clock | ${n(d.releaseToFirstOfferMs)} / ${n(d.releaseToOpenedMs)} |`,
    `| release → each opening offer, p50 / p99 ms | ${pair(d.releaseToOffer.p50, d.releaseToOffer.p99)} (${n(d.releaseToOffer.n)} offers) |`,
    `| release → the entrant's page knew, p50 / p99 ms | ${pair(d.releaseToHeard.p50, d.releaseToHeard.p99)} (${n(d.releaseToHeard.n)} shoppers) |`,
    `| speed bought nothing: offered at the opening, first / last tenth of entrants to join (${n(d.speed.tenth)} each) | ${Math.round(d.speed.firstTenth * 100)}% / ${Math.round(d.speed.lastTenth * 100)}% |`,
    ``,
    `|  | shoppers | bots |`,
    `| --- | ---: | ---: |`,
  ];
}

/** The figures the drop's targets name, one row each, from a result. */
const HEADLINES: [string, (r: DropResult) => number | null][] = [
  ["units sold to shoppers", (r) => r.sold.shoppers],
  ["shopper timeouts", (r) => r.requests.refusals.timeout?.shopper ?? 0],
  ["5xx", (r) => r.requests.serverErrors.count],
  ["shoppers' page p50 ms", (r) => r.requests.latencyByKind.page?.shopper.p50 ?? null],
  ["shoppers' page p99 ms", (r) => r.requests.latencyByKind.page?.shopper.p99 ?? null],
  ["shoppers' add p99 ms", (r) => r.adds.shoppers.p99],
  ["shoppers' checkout p99 ms", (r) => r.requests.latencyByKind.checkout?.shopper.p99 ?? null],
  ["hold's deadline → offer p99 ms", (r) => r.line.deadlineToOffer.p99],
  ["deadline → the waiter's page knew p99 ms", (r) => r.line.deadlineToHeard.p99],
  ["… of the pages on the stream, p99 ms", (r) => r.line.deadlineToHeardOnStream.p99],
  ["… of the pages by the long poll, p99 ms", (r) => r.line.deadlineToHeardByLongPoll.p99],
  ["… of the pages without JavaScript, p99 ms", (r) => r.line.deadlineToHeardWithoutScript?.p99 ?? null],
  ["longest overdue ms", (r) => r.monitor.maxOverdueMs],
  ["row lock per batch p99 ms (bucket bound)", (r) => r.rowLock.batch.p99Ms],
  ["row lock per release p99 ms (bucket bound)", (r) => r.rowLock.release.p99Ms],
  ["web CPU per product page view ms", (r) => r.cost.productPage.cpuMs],
  ["web CPU per catalog page view ms", (r) => r.cost.catalogPage.cpuMs],
  ["web CPU per refusal ms", (r) => r.cost.refusal.cpuMs],
  ["web CPU over the sale, % of one core", (r) => r.monitor.cpuPercent.web],
  ["web CPU per request to Next's floor ms (the machine's pace)", (r) => r.cost.api.floor.cpuMs],
];

/** A draw's own headline figures. */
const DRAW_HEADLINES: [string, (r: DropResult) => number | null][] = [
  ["entrants", (r) => r.draw?.entrants ?? null],
  ["bots' entries", (r) => r.draw?.botEntries ?? null],
  ["units held before the release", (r) => r.draw?.unitsHeldBeforeRelease ?? null],
  ["units offered at the opening to bots", (r) => r.draw?.openingUnitsOffered.bot ?? null],
  [
    "bots' share of units offered ÷ their share of entries",
    (r) => {
      const d = r.draw;
      if (!d || d.botEntries === 0) return null;
      const offered = d.openingUnitsOffered.shopper + d.openingUnitsOffered.bot + d.openingUnitsOffered.other;
      return offered === 0
        ? null
        : Number((d.openingUnitsOffered.bot / offered / (d.botEntries / d.entrants)).toFixed(2));
    },
  ],
  ["release → each opening offer p99 ms", (r) => r.draw?.releaseToOffer.p99 ?? null],
  ["release → the entrant's page knew p99 ms", (r) => r.draw?.releaseToHeard.p99 ?? null],
  ["offered at the opening, first tenth to join %", (r) => (r.draw ? Math.round(r.draw.speed.firstTenth * 100) : null)],
  ["offered at the opening, last tenth to join %", (r) => (r.draw ? Math.round(r.draw.speed.lastTenth * 100) : null)],
];

/** Several runs side by side: each headline figure per run, and its min / median / max. */
export function summaryMarkdown(results: readonly DropResult[], mode: "race" | "draw"): string {
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const rows = [...HEADLINES, ...(mode === "draw" ? DRAW_HEADLINES : [])].map(([name, of]) => {
    const values = results.map(of);
    const known = sorted(values.filter((v): v is number => v !== null));
    const median = known.length === 0 ? null : (known[Math.floor((known.length - 1) / 2)] ?? null);
    return `| ${name} | ${values.map(n).join(" | ")} | ${n(known[0] ?? null)} / ${n(median)} / ${n(known.at(-1) ?? null)} |`;
  });
  return [
    `## ${results.length} runs, ${mode === "draw" ? "a draw" : "a race"}`,
    ``,
    `| figure | ${results.map((_, i) => `run ${i + 1}`).join(" | ")} | min / median / max |`,
    `| --- | ${results.map(() => "---:").join(" | ")} | ---: |`,
    ...rows,
    ``,
  ].join("\n");
}
