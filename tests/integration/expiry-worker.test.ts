import { inArray } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { addToCart } from "@/lib/cart/mutations";
import { db } from "@/lib/db/client";
import { carts } from "@/lib/db/schema";
import { redis, redisDatabase } from "@/lib/redis/client";
import { flushCartStore } from "../support/cart-store";
import { cartKeys } from "@/lib/redis/keys";
import { countersOf, createProduct, deadlinesPassed, ledgerViolations } from "../support/ledger";
import { WorkerProcess, type LogLine } from "../../scripts/harness/worker-process";
import { setTestConfig } from "../support/config";
import { waitFor } from "../support/wait-for";

setTestConfig({ CART_TTL_SECONDS: "2" });
const SWEEP_MS = 500;
const TTL_MS = 2_000;

const workers: WorkerProcess[] = [];
const startWorker = async (sweepIntervalMs = SWEEP_MS) => {
  const worker = new WorkerProcess({ SWEEP_INTERVAL_MS: String(sweepIntervalMs) });
  workers.push(worker);
  await worker.started();
  return worker;
};
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

const shopper = { cartId: null, clientIp: "198.51.100.10" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const releaseOf = (cartId: string) => (lines: LogLine[]) =>
  lines.some((l) => l.event === "release" && l.cart === cartId);

async function statesOf(cartIds: string[]) {
  const rows = await db().select({ id: carts.id, state: carts.state }).from(carts).where(inArray(carts.id, cartIds));
  return new Set(rows.map((r) => r.state));
}

describe("the expiry worker", () => {
  it("hears the expiry event: a 2 s cart is released within a second of its deadline, logged as `event`", async () => {
    const worker = await startWorker(60_000); // the sweeper sleeps: only the event can do it
    // One subscription per node that emits events: the single Redis, or each of a cluster's 3 masters.
    const nodes = process.env.REDIS_CLUSTER_NODES ? 3 : 1;
    await worker.waitFor((lines) => lines.filter((l) => l.event === "subscribed").length >= nodes);
    const productId = await createProduct(5);
    const { cartId } = await addToCart(shopper, productId, 2);
    await worker.waitFor(releaseOf(cartId), TTL_MS + 5_000);

    const release = worker.releases().find((l) => l.cart === cartId);
    expect(release).toMatchObject({ path: "event", units: 2 });
    // The fast path's promise. The worker measures it (deadline to release, by the database's
    // clock), so how slowly this test runs does not count.
    expect(release?.lagMs).toBeLessThan(1_000);
    expect(await countersOf(productId)).toEqual({ onHand: 5, available: 5, reserved: 0, sold: 0 });
    expect(await redis().exists(cartKeys(cartId).lines)).toBe(0);
  });

  it("was down at the deadline: once started, its sweeper releases the cart within one sweep interval", async () => {
    const productId = await createProduct(5);
    const { cartId } = await addToCart(shopper, productId, 3);
    // Past the deadline, and the key's expiry event has fired (at the latest when this read found
    // the key gone): nobody heard it.
    const expired = async () =>
      (await deadlinesPassed([cartId])) && (await redis().exists(cartKeys(cartId).session)) === 0;
    await waitFor(expired, { timeout: TTL_MS + 10_000, what: "the cart's deadline and its key's expiry" });
    expect(await countersOf(productId)).toMatchObject({ reserved: 3 });

    const worker = await startWorker();
    await worker.waitFor(releaseOf(cartId), SWEEP_MS + 5_000);
    const started = worker.lines.find((l) => l.event === "worker_started");
    const release = worker.releases().find((l) => l.cart === cartId);
    expect(release?.path).toBe("sweep");
    // Its first sweep, at start: within a sweep interval, plus invariant 4's second for the work.
    expect(Date.parse(String(release?.t)) - Date.parse(String(started?.t))).toBeLessThanOrEqual(SWEEP_MS + 1_000);
    expect(await countersOf(productId)).toMatchObject({ available: 5, reserved: 0 });
  });

  it("Redis flushed with live carts: every hold still ends on time, through the sweeper", async () => {
    const worker = await startWorker();
    const productId = await createProduct(50);
    const cartIds: string[] = [];
    for (let i = 0; i < 20; i += 1) cartIds.push((await addToCart(shopper, productId, 2)).cartId);
    await flushCartStore();

    await worker.waitFor((lines) => cartIds.every((id) => releaseOf(id)(lines)), TTL_MS + SWEEP_MS + 5_000);
    const releases = worker.releases().filter((l) => cartIds.includes(String(l.cart)));
    expect(new Set(releases.map((r) => r.path))).toEqual(new Set(["sweep"]));
    // Invariant 4, as the worker measured it (deadline to release, by the database's clock).
    expect(Math.max(...releases.map((r) => Number(r.lagMs)))).toBeLessThanOrEqual(SWEEP_MS + 1_000);
    expect(await countersOf(productId)).toEqual({ onHand: 50, available: 50, reserved: 0, sold: 0 });
    expect(await statesOf(cartIds)).toEqual(new Set(["expired"]));
  });

  it("three workers and every event delivered three more times: each cart is released exactly once", async () => {
    const pool = await Promise.all([startWorker(), startWorker(), startWorker()]);
    const productId = await createProduct(100);
    const cartIds: string[] = [];
    for (let i = 0; i < 30; i += 1) cartIds.push((await addToCart(shopper, productId, 1 + (i % 3))).cartId);
    const held = (await countersOf(productId)).reserved;
    await waitFor(() => deadlinesPassed(cartIds), { timeout: TTL_MS + 10_000, what: "every deadline to pass" });
    const publisher = redis().duplicate();
    for (let round = 0; round < 3; round += 1) {
      for (const id of cartIds)
        await publisher.publish(`__keyevent@${redisDatabase()}__:expired`, cartKeys(id).session);
    }
    publisher.disconnect();

    const all = () => pool.flatMap((w) => w.releases());
    await pool[0]?.waitFor(() => cartIds.every((id) => all().some((l) => l.cart === id)), SWEEP_MS + 10_000);
    // Nothing can show that a second release will never come: the duplicates have had the time
    // of two more sweeps to cause one.
    await sleep(SWEEP_MS * 2);
    const perCart = new Map<string, number>();
    for (const l of all()) perCart.set(String(l.cart), (perCart.get(String(l.cart)) ?? 0) + 1);
    expect(cartIds.map((id) => perCart.get(id))).toEqual(cartIds.map(() => 1));
    const unitsReleased = all()
      .filter((l) => cartIds.includes(String(l.cart)))
      .reduce((sum, l) => sum + Number(l.units), 0);
    expect(unitsReleased).toBe(held);
    expect(await countersOf(productId)).toEqual({ onHand: 100, available: 100, reserved: 0, sold: 0 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("stops cleanly on SIGTERM", async () => {
    const worker = await startWorker();
    expect(await worker.stop()).toBe(0);
    workers.splice(workers.indexOf(worker), 1);
    expect(worker.lines.some((l) => l.event === "worker_stopped")).toBe(true);
  });

  it("writes a heartbeat the health check can read", async () => {
    await startWorker();
    const { checkHealth } = await import("@/lib/metrics/health");
    const health = await checkHealth();
    expect(health).toMatchObject({ redis: "ok", postgres: "ok" });
    expect(health.workerLastSeenMs).not.toBeNull();
    // Written at start and every 5 s: seen within two heartbeats.
    expect(health.workerLastSeenMs as number).toBeLessThan(10_000);
  });
});
