import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { recordFigures } from "../support/figures";
import { invariantViolations } from "../support/invariants";
import { activeCarts, countersOf, createProduct } from "../support/ledger";
import { shoppersAdding, total } from "../support/load";
import { openStockStream } from "../../scripts/harness/stock-streams";
import { RedisCluster } from "../../scripts/harness/redis-cluster";
import { Shopper } from "../support/shopper";
import { WebProcess } from "../../scripts/harness/web-process";
import { WorkerProcess } from "../../scripts/harness/worker-process";
import { setTestConfig } from "../support/config";
import { waitFor } from "../support/wait-for";

// A Redis Cluster of this file's own (3 masters, 3 replicas), so killing a master here never
// disturbs another suite.
const cluster = new RedisCluster(Number(process.env.CLUSTER_TEST_BASE_PORT ?? 7200));
await cluster.start();
setTestConfig({ REDIS_CLUSTER_NODES: cluster.nodes, CART_TTL_SECONDS: "6" });
const SWEEP_MS = 500;
const TTL_MS = 6_000;

afterAll(() => cluster.stop());

const env = { SWEEP_INTERVAL_MS: String(SWEEP_MS) };
const worker = () => new WorkerProcess(env, { production: true });

describe("Redis Cluster", () => {
  it("two web instances and three workers, shoppers spread over both: every hold ends once, the ledger holds", async () => {
    const products = await Promise.all([createProduct(5), createProduct(40), createProduct(10_000)]);
    const webs = [new WebProcess(env), new WebProcess(env)];
    const workers = [worker(), worker(), worker()];
    await Promise.all([...webs.map((w) => w.start()), ...workers.map((w) => w.started())]);
    try {
      // A page open on one instance hears of a hold made through the other, and of its end by a
      // worker: the stock stream's news crosses instances through the cluster.
      const watched = await createProduct(3);
      const page = await openStockStream(webs[1]?.url as string, [watched]);
      const holder = new Shopper(webs[0]?.url as string);
      try {
        expect(page.status).toBe(200);
        expect((await holder.add(watched, 1)).status).toBe(200);
        await page.until((s) => s.latest.get(watched) === 2);
        await page.until((s) => s.latest.get(watched) === 3, TTL_MS + 10_000);
      } finally {
        page.close();
      }

      const loads = webs.map((web) => shoppersAdding(web.url, products, 15));
      // A shopper's cart is readable through either instance.
      const shopper = new Shopper(webs[0]?.url as string);
      expect((await shopper.add(products[2] as number, 2)).status).toBe(200);
      const viaOther = new Shopper(webs[1]?.url as string);
      viaOther.cookies.set("cart", shopper.cookies.get("cart") as string);
      expect((await viaOther.cart()).body.cart.items[0].quantity).toBe(2);
      // Shoppers keep adding through both instances until holds run out under the load: the
      // workers have released 20 carts.
      const released = () => workers.reduce((n, w) => n + w.releases().length, 0);
      await waitFor(() => released() >= 20 && loads.every((l) => l.okTimes.length >= 100), {
        timeout: TTL_MS + 60_000,
        what: "100 adds through each instance and 20 holds released under the load",
      });
      await Promise.all(loads.map((l) => l.stop()));
      for (const load of loads) expect(load.serverErrors).toEqual([]);

      // Every hold has ended (the last ones a TTL after the load stopped).
      await waitFor(async () => (await activeCarts()) === 0, {
        timeout: TTL_MS + SWEEP_MS + 30_000,
        what: "every hold to end",
      });
      const releases = workers.flatMap((w) => w.releases());
      const perCart = new Map<string, number>();
      for (const r of releases) perCart.set(String(r.cart), (perCart.get(String(r.cart)) ?? 0) + 1);
      expect([...perCart.values()].filter((n) => n > 1)).toEqual([]);
      expect(await invariantViolations(SWEEP_MS)).toEqual([]);
      for (const id of products) expect((await countersOf(id)).reserved).toBe(0);
      recordFigures("cluster: 2 web + 3 workers", {
        requests: loads.reduce((n, l) => n + total(l.statuses), 0),
        statuses: loads.map((l) => l.statuses),
        releases: releases.length,
        byPath: releases.reduce<Record<string, number>>(
          (m, r) => ({ ...m, [String(r.path)]: (m[String(r.path)] ?? 0) + 1 }),
          {},
        ),
        violations: 0,
      });
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await Promise.all(webs.map((w) => w.stop()));
    }
  });

  it("the door on a Redis Cluster: a client over its rate at one web instance is refused by the other", async () => {
    const door = { ...env, RATE_LIMIT_PER_SECOND: "1", RATE_LIMIT_BURST: "10", WEB_CONCURRENCY: "1" };
    const webs = [new WebProcess(door), new WebProcess(door)];
    await Promise.all(webs.map((w) => w.start()));
    try {
      const [first, second] = webs.map((w) => `${w.url}/api/health/live`) as [string, string];
      let answer: Response;
      do answer = await fetch(first);
      while (answer.status === 200);
      expect(answer.status).toBe(429);
      expect((await answer.json()).error.code).toBe("rate_limited");
      // On a budget of its own the other would admit all 5; a second's refill may admit one.
      const elsewhere = await Promise.all(Array.from({ length: 5 }, () => fetch(second)));
      expect(elsewhere.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(4);
    } finally {
      await Promise.all(webs.map((w) => w.stop()));
    }
  });

  it("a master dies with live carts: its replica takes over, no hold is lost, every hold still ends on time", async () => {
    const productId = await createProduct(10_000);
    // Long enough for the carts to outlive the failover, so "still there" means something.
    const ttlMs = 20_000;
    const web = new WebProcess({ ...env, CART_TTL_SECONDS: String(ttlMs / 1000) });
    const workers = [worker(), worker()];
    await Promise.all([web.start(), ...workers.map((w) => w.started())]);
    try {
      // Carts spread over all three masters' slots.
      const shoppers = Array.from({ length: 30 }, () => new Shopper(web.url));
      for (const s of shoppers) expect((await s.add(productId, 2)).status).toBe(200);
      const load = shoppersAdding(web.url, [productId], 10);
      await waitFor(() => load.okTimes.length >= 10, { timeout: 30_000, what: "the shoppers' first adds" });

      const [victim] = await cluster.masters();
      const killedAt = Date.now();
      await cluster.kill(victim as number);
      await cluster.waitForFailover(victim as number);
      const recoveredMs = Date.now() - killedAt;
      // Served again after the failover, by the same web.
      const servedAfter = () => load.okTimes.filter((t) => t > killedAt + recoveredMs + 500).length;
      await waitFor(() => servedAfter() > 10, { timeout: 30_000, what: "adds served after the failover" });
      await load.stop();
      const lastCartAt = Date.now();

      // Every shopper still has their cart, through the promoted replica or rebuilt from the ledger.
      for (const s of shoppers) {
        const { status, body } = await s.cart();
        expect(status).toBe(200);
        expect(body.cart.items).toEqual([expect.objectContaining({ productId, quantity: 2 })]);
      }
      expect(load.statuses["500"] ?? 0).toBe(0);
      expect(load.serverErrors.filter((e) => e.status !== 503)).toEqual([]);
      expect(servedAfter()).toBeGreaterThan(10);

      // After the deadline: every hold has ended, through events on the new master or the sweeper.
      await waitFor(async () => (await activeCarts()) === 0, {
        timeout: Math.max(0, lastCartAt + ttlMs - Date.now()) + SWEEP_MS + 30_000,
        what: "every hold to end",
      });
      expect(await invariantViolations(SWEEP_MS)).toEqual([]);
      expect((await countersOf(productId)).reserved).toBe(0);
      const [late] = await db().execute<{ worst: number | null }>(
        sql`select max(extract(epoch from ended_at - expires_at) * 1000)::int as worst from carts where state = 'expired'`,
      );
      // Invariant 4, from the ledger's own timestamps: how late the latest release came.
      expect(late?.worst ?? 0).toBeLessThanOrEqual(SWEEP_MS + 1_000);
      recordFigures("cluster: master failover", {
        killedPort: victim,
        recoveredMs,
        requests: total(load.statuses),
        statuses: load.statuses,
        liveCarts: shoppers.length,
        holdsLost: 0,
        worstReleaseLagMs: late?.worst ?? null,
        violations: 0,
      });
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await web.stop();
    }
  });
});
