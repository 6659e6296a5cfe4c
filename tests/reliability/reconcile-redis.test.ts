import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addToCart } from "@/lib/cart/mutations";
import { releaseCart } from "@/lib/hold/release";
import { readCartFromRedis } from "@/lib/hold/redis-cart";
import { redis } from "@/lib/redis/client";
import { cartKeys } from "@/lib/redis/keys";
import { countersOf, createProduct, ledgerViolations } from "../support/ledger";
import { scrape, value } from "../support/prometheus";
import { freePort } from "../../scripts/harness/redis-server";
import { WorkerProcess, type LogLine } from "../../scripts/harness/worker-process";

const INTERVAL_MS = 2_000;
let worker: WorkerProcess;
let metricsUrl = "";

beforeAll(async () => {
  const port = await freePort();
  worker = new WorkerProcess(
    { RECONCILE_INTERVAL_MS: String(INTERVAL_MS), METRICS_PORT: String(port) },
    { production: true },
  );
  await worker.started();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
});
afterAll(async () => {
  await worker?.stop();
});

const shopper = { cartId: null, clientIp: "198.51.100.20" };
const repairOf = (cartId: string) => (l: LogLine) => l.event === "redis_repaired" && l.cart === cartId;
const repairs = async () => {
  const s = await scrape(metricsUrl);
  return {
    rebuilt: value(s, "holdcart_redis_repairs_total", { action: "rebuilt" }),
    deleted: value(s, "holdcart_redis_repairs_total", { action: "deleted" }),
  };
};

describe("the reconciler, Redis against Postgres", () => {
  it("repairs a cart whose keys were deleted, one whose lines were corrupted and a stray cart within one interval, and counts them", async () => {
    const tote = await createProduct(20);
    const mug = await createProduct(20);
    const lost = await addToCart(shopper, tote, 2);
    const corrupted = await addToCart(shopper, tote, 3);
    await addToCart({ ...shopper, cartId: corrupted.cartId }, mug, 1);
    const counters = [await countersOf(tote), await countersOf(mug)];

    // A round with nothing wrong repairs nothing: in-flight writes are not drift.
    await worker.waitFor((lines) => lines.some((l) => l.event === "reconciled"), INTERVAL_MS + 5_000);
    expect(worker.lines.find((l) => l.event === "reconciled")).toMatchObject({ drift: 0, rebuilt: 0, deleted: 0 });
    const before = await repairs();

    const lostKeys = cartKeys(lost.cartId);
    await redis().del(lostKeys.session, lostKeys.lines);
    await redis().hset(cartKeys(corrupted.cartId).lines, String(tote), "7");
    // A cart Postgres has ended, whose session key came back (a write that lost its tombstone)...
    const { cartId: stray } = await addToCart(shopper, mug, 1);
    await releaseCart(stray, "empty", "early");
    await redis().del(cartKeys(stray).ended);
    await redis().set(cartKeys(stray).session, "9:1900000000000:0", "PX", 600_000);
    // ...and one no store here knows (another store's, on a shared Redis): left alone.
    const foreign = randomUUID();
    await redis().set(cartKeys(foreign).session, "1:1900000000000:0", "PX", 600_000);
    const brokenAt = Date.now();

    await worker.waitFor(
      (lines) => [lost.cartId, corrupted.cartId, stray].every((id) => lines.some(repairOf(id))),
      INTERVAL_MS + 5_000,
    );
    const found = (id: string) => worker.lines.find(repairOf(id));
    expect(found(lost.cartId)).toMatchObject({ action: "rebuilt", found: "missing" });
    expect(found(corrupted.cartId)).toMatchObject({ action: "rebuilt", found: "lines_differ" });
    expect(found(stray)).toMatchObject({ action: "deleted" });
    const lastRepairAt = Math.max(
      ...[lost.cartId, corrupted.cartId, stray].map((id) => Date.parse(String(found(id)?.t))),
    );
    // Within one interval, plus the confirming second read and the work itself.
    expect(lastRepairAt - brokenAt).toBeLessThanOrEqual(INTERVAL_MS + 1_500);

    const lostNow = await readCartFromRedis(lost.cartId);
    expect(lostNow).toMatchObject({ kind: "live", lines: [{ productId: tote, quantity: 2 }] });
    const corruptedNow = await readCartFromRedis(corrupted.cartId);
    expect(corruptedNow).toMatchObject({
      kind: "live",
      lines: [
        { productId: tote, quantity: 3 },
        { productId: mug, quantity: 1 },
      ].sort((a, b) => a.productId - b.productId),
    });
    expect(await redis().exists(cartKeys(stray).session)).toBe(0);
    expect(await redis().exists(cartKeys(foreign).session)).toBe(1);

    // Counted once each (the next rounds find Redis whole again), and the ledger never moved.
    await worker.waitFor(
      (lines) => lines.filter((l) => l.event === "reconciled" && Date.parse(String(l.t)) > lastRepairAt).length >= 1,
      INTERVAL_MS + 5_000,
    );
    const after = await repairs();
    expect(after.rebuilt - before.rebuilt).toBe(2);
    expect(after.deleted - before.deleted).toBe(1);
    expect([await countersOf(tote), await countersOf(mug)]).toEqual(counters);
    expect(await ledgerViolations()).toEqual([]);
    await redis().del(cartKeys(foreign).session);
  });
});
