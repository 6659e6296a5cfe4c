import { afterAll, describe, expect, it } from "vitest";
import { playDrop } from "../../bench/drop/drop";
import { recordFigures } from "../support/figures";
import { dropDatabase, flushRedisDb, TEST_PG_ADMIN_URL, TEST_REDIS_BASE } from "../support/services";

/**
 * `npm run drop` in small (bench/drop): 200 shoppers and 10 bots, each from its own loopback
 * address, for 20 units over 20 s against the production build with the per-client defenses at
 * their defaults. It asserts only what must hold however busy the machine is, never a timing:
 *
 * - nothing oversold: sold ≤ units, sold = the units in orders, and the ledger exact (invariants
 *   1–2) at the close and once every hold has ended (waited for, bounded), with nothing left
 *   reserved, active, in line or in Redis;
 * - no 5xx;
 * - no client ever held more than its cap: checked at every committed change of a hold, replayed
 *   from row triggers the rehearsal adds to its own database (bench/drop/audit.ts, history.ts), and
 *   independently in consistent samples every 100 ms (bench/drop/monitor.ts);
 * - the line first and in order: each offer went to the earliest entry still waiting, and no
 *   transaction that freed units left any available while someone waited (same replay);
 * - forged X-Forwarded-For never named a client, and every abandoned stream was let go.
 *
 * Its own database and Redis db (not the suite's), so the store is configured by the drop alone.
 */
const SEED = Number(process.env.DROP_TEST_SEED ?? Date.now() % 100_000);
const DATABASE = process.env.DROP_TEST_DATABASE ?? "holdcart_drop_test";
const REDIS_DB = Number(process.env.DROP_TEST_REDIS_DB ?? 7);

/** The store both rehearsals run against: its own database and Redis db, pools sized for the suite. */
const STORE = {
  workers: 2,
  sweepIntervalMs: 500,
  pgAdminUrl: TEST_PG_ADMIN_URL,
  database: DATABASE,
  redisBase: TEST_REDIS_BASE,
  redisDb: REDIS_DB,
  webPoolMax: 10,
  workerPoolMax: 3,
};

afterAll(async () => {
  await dropDatabase(DATABASE);
  await flushRedisDb(REDIS_DB);
});

describe("drop rehearsal", () => {
  it("200 shoppers and 10 bots for 20 units, 2 per shopper: nothing oversold, no 5xx, the ledger exact, every cap and the line kept", async () => {
    const started = Date.now();
    const r = await playDrop({
      units: 20,
      shoppers: 200,
      bots: 10,
      seconds: 20,
      holdSeconds: 8,
      offerSeconds: 8,
      arrivalSeconds: 10,
      // The product's limit per shopper (invariant 9 per product): bots ask for it, and get no more.
      perShopperLimit: 2,
      mode: "race",
      releaseSeconds: 0,
      botLoops: 1,
      botStreamBurst: 40,
      ...STORE,
      seed: SEED,
    });
    const figures = {
      seed: SEED,
      ms: Date.now() - started,
      sold: r.sold,
      unitSeconds: r.held.unitSeconds,
      maxHeldByOneClient: r.held.maxHeldByOneClient,
      offers: r.line.offers,
      claimed: r.line.claimed,
      requests: r.requests.total,
      violations: r.violations,
    };
    recordFigures("drop", figures);

    // No 5xx (the first bodies are in the message when there are).
    expect(r.requests.serverErrors.samples).toEqual([]);
    expect(r.requests.serverErrors.count).toBe(0);
    // Nothing oversold, the ledger exact at the close and after every hold ended.
    expect(r.ledger.atClose.problems).toEqual([]);
    expect(r.ledger.final.problems).toEqual([]);
    expect(r.ledger.holdsEnded).toBe(true);
    expect(r.ledger.final.sold).toBeLessThanOrEqual(20);
    expect(r.ledger.final.sold).toBe(r.ledger.final.ordered);
    expect(r.sold.shoppers + r.sold.bots + r.sold.other).toBe(r.ledger.final.sold);
    expect(r.ledger.final).toMatchObject({ reserved: 0, activeCarts: 0, waiting: 0, redisSessions: 0 });
    // Every client within its caps at every committed change, and in every sample.
    expect(r.caps.maxQtyPerLine).toBe(2);
    expect(r.caps.violations).toEqual([]);
    expect(r.caps.sampledOverCap).toEqual([]);
    expect(r.held.maxHeldByOneClient.bot).toBeLessThanOrEqual(r.caps.maxQtyPerLine);
    expect(r.caps.sampledMaxHeld.bot).toBeLessThanOrEqual(r.caps.maxQtyPerLine);
    expect(r.caps.samples).toBeGreaterThan(0);
    // The line first, in order; and it was exercised (units came back while shoppers waited).
    expect(r.line.orderViolations).toEqual([]);
    expect(r.line.freedWhileWaiting).toEqual([]);
    expect(r.line.joins).toBeGreaterThan(0);
    expect(r.line.offers).toBeGreaterThan(0);
    // Forged X-Forwarded-For never named a client; the bots' abandoned streams were all let go.
    expect(r.ledger.foreignClientKeys).toEqual([]);
    expect(r.bots.adds).toBeGreaterThan(0);
    expect(r.streams.openAfterClose).toBe(0);
    // And the report's own verdict agrees.
    expect(r.violations).toEqual([]);
  });

  it("a draw: 200 shoppers and 10 bots with fresh identities for 20 units released after 6 s: nothing held before the release, one entry per address, offers in the drawn order, the ledger exact", async () => {
    const r = await playDrop({
      units: 20,
      shoppers: 200,
      bots: 10,
      seconds: 20,
      holdSeconds: 8,
      offerSeconds: 8,
      arrivalSeconds: 6,
      perShopperLimit: 2,
      mode: "draw",
      releaseSeconds: 6,
      botLoops: 1,
      botStreamBurst: 0,
      ...STORE,
      seed: SEED + 1,
    });
    const d = r.draw;
    recordFigures("drop-draw", { seed: SEED + 1, sold: r.sold, draw: d, violations: r.violations });
    expect(d).not.toBeNull();
    if (!d) return;
    // Invariant 11: nobody held a unit before the release; each bot address entered once at most,
    // however many identities it tried; the draw ranked every entrant.
    expect(d.unitsHeldBeforeRelease).toBe(0);
    expect(d.clientsWithSeveralEntries).toBe(0);
    expect(d.botEntryTries).toBeGreaterThan(d.botEntries);
    expect(d.botEntries).toBeLessThanOrEqual(10);
    expect(d.entrants).toBeGreaterThan(20);
    expect(d.botRanks.every((rank) => rank >= 1 && rank <= d.entrants)).toBe(true);
    // Every unit was offered at the opening, to the drawn line, in its order (the replay checks each offer).
    expect(d.openingUnitsOffered.shopper + d.openingUnitsOffered.bot).toBe(20);
    expect(r.line.orderViolations).toEqual([]);
    expect(r.line.freedWhileWaiting).toEqual([]);
    expect(r.requests.serverErrors.count).toBe(0);
    expect(r.ledger.atClose.problems).toEqual([]);
    expect(r.ledger.final.problems).toEqual([]);
    expect(r.caps.violations).toEqual([]);
    expect(r.violations).toEqual([]);
  });
});
