import { afterEach, describe, expect, it } from "vitest";
import { updateProductSettings } from "@/lib/catalog/product-settings";
import { addToCart } from "@/lib/cart/mutations";
import { pg } from "@/lib/db/client";
import { drawRecord } from "@/lib/drops/draw-record";
import { ShopError } from "@/lib/base/shop-error";
import { entriesOf, joinWaitlist } from "@/lib/waitlist/entries";
import { countersOf, createProduct, ledgerViolations } from "../support/ledger";
import { WorkerProcess } from "../../scripts/harness/worker-process";
import { setTestConfig } from "../support/config";
import { waitFor } from "../support/wait-for";

// Invariant 11: a drop is decided by a draw, not by speed. Per-client caps on, as in production.
setTestConfig({ HOLD_LIMITS: "on", NEW_CARTS_PER_IP_PER_MINUTE: "0", MAX_QTY_PER_LINE: "10", OFFER_TTL_SECONDS: "60" });
const SWEEP_MS = 500;
const HOUR_MS = 3_600_000;

const workers: WorkerProcess[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  setTestConfig({ HOLD_LIMITS: "on" });
});

const codeOf = (work: Promise<unknown>) =>
  work.then(
    () => "ok",
    (e: unknown) => (e instanceof ShopError ? e.code : String(e)),
  );
let n = 0;
/** An entrant from an address of its own. */
const entrant = () => {
  n += 1;
  return { waiterId: crypto.randomUUID(), clientKey: `192.0.2.${n % 250}.${n}`, cartId: null as string | null };
};
/** A drop of `units` that opens in an hour (moved to "now" by the test when it wants the release). */
const scheduledDrop = async (units: number) => {
  const productId = await createProduct(units);
  await updateProductSettings(productId, { releaseAt: new Date(Date.now() + HOUR_MS) });
  return productId;
};
const openedAt = async (productId: number) =>
  (await pg()<{ opened_at: Date | null }[]>`select opened_at from products where id = ${productId}`)[0]?.opened_at ??
  null;

describe("a drop (invariant 11)", () => {
  it("before the release nobody can hold it: 1,000 concurrent adds are refused with not_released, and the stock stays whole", async () => {
    const productId = await scheduledDrop(20);
    const codes = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        codeOf(addToCart({ cartId: null, clientIp: `198.18.${Math.floor(i / 250)}.${i % 250}` }, productId, 1)),
      ),
    );
    expect(new Set(codes)).toEqual(new Set(["not_released"]));
    // The lone-new-cart fast path (per-client caps off) refuses too.
    setTestConfig({ HOLD_LIMITS: "off" });
    const refusal = await addToCart({ cartId: null, clientIp: "198.18.9.9" }, productId, 1).catch((e: ShopError) => e);
    expect(refusal).toMatchObject({ code: "not_released", details: { releaseAt: expect.any(String) } });
    expect((refusal as ShopError).message).toMatch(
      /^This drop opens at \d\d:\d\d UTC on \d{4}-\d\d-\d\d: enter the draw/,
    );
    expect(await countersOf(productId)).toMatchObject({ available: 20, reserved: 0 });
  });

  it("anyone may enter before the release, in stock or not, with no place until the draw; one entry per client however many waiter cookies", async () => {
    const productId = await scheduledDrop(5);
    const first = entrant();
    const entry = await joinWaitlist(first, productId, 1);
    expect(entry).toMatchObject({ position: null, offer: null, drawAt: expect.any(String) });
    // Ten waiter cookies of one address: one entry.
    const codes = await Promise.all(
      Array.from({ length: 10 }, () =>
        codeOf(joinWaitlist({ waiterId: crypto.randomUUID(), clientKey: first.clientKey, cartId: null }, productId, 1)),
      ),
    );
    expect(codes).toEqual(Array(10).fill("already_waiting"));
    const [row] = await pg()<{ n: number }[]>`
      select count(*)::int as n from waitlist_entries where product_id = ${productId} and client_key = ${first.clientKey}`;
    expect(row?.n).toBe(1);
  });

  it("2 workers at the release draw once; 200 entrants for 20 units give exactly 20 offers, in the recorded order; later entrants queue behind", async () => {
    const productId = await scheduledDrop(20);
    const entrants = Array.from({ length: 200 }, entrant);
    for (const e of entrants) await joinWaitlist(e, productId, 1);
    // The release comes now (null: on sale now, and a pending drop still draws first).
    await updateProductSettings(productId, { releaseAt: null });
    const late = entrant(); // joins after the release, before the draw: behind every entrant
    expect(await codeOf(joinWaitlist(late, productId, 1))).toBe("ok");
    for (let i = 0; i < 2; i += 1) workers.push(new WorkerProcess({ SWEEP_INTERVAL_MS: String(SWEEP_MS) }));
    await Promise.all(workers.map((w) => w.started()));
    await waitFor(async () => (await openedAt(productId)) !== null, { timeout: 15_000, what: "the drop opened" });

    const record = await drawRecord(productId);
    expect(record?.drawnAt).not.toBeNull();
    expect(record?.entries.map((e) => e.rank)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    // The first 20 ranks hold the offers, nobody else.
    expect(record?.entries.filter((e) => e.outcome === "offered").map((e) => e.rank)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(record?.summary).toMatchObject({ entrants: 200, offered: 20, unitsOffered: 20, waiting: 180 });
    // A second draw (another worker, a retry) finds it drawn.
    const [again] = await pg()<{ outcome: { drawn: boolean } }[]>`select draw_drop(${productId}::int) as outcome`;
    expect(again?.outcome.drawn).toBe(false);
    expect(await countersOf(productId)).toMatchObject({ available: 0, reserved: 20 });

    // What each entrant's page reads: an offer, or its place in the drawn line.
    const ranks = new Map<string, number>(
      (
        await pg()<{ waiter_id: string; rank: number }[]>`
          select waiter_id, rank from draw_entries where product_id = ${productId}`
      ).map((r) => [r.waiter_id, r.rank]),
    );
    for (const e of entrants) {
      const rank = ranks.get(e.waiterId) as number;
      const [mine] = await entriesOf(e.waiterId);
      if (rank <= 20) expect(mine).toMatchObject({ position: null, drawAt: null, offer: { units: 1 } });
      else expect(mine).toMatchObject({ position: rank - 20, drawAt: null, offer: null });
    }
    expect((await entriesOf(late.waiterId))[0]).toMatchObject({ position: 181, drawAt: null });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("the first joiner's rank is uniform over 200 draws (chi-square, 10 entrants each)", async () => {
    const entrantsPerDraw = 10;
    const counts = Array<number>(entrantsPerDraw).fill(0);
    const drops: number[] = [];
    for (let draw = 0; draw < 200; draw += 1) {
      const productId = await createProduct(1);
      drops.push(productId);
      await pg()`update products set release_at = now() - interval '1 second' where id = ${productId}`;
      await pg()`
        insert into waitlist_entries (product_id, waiter_id, client_key, quantity, joined_at)
        select ${productId}, gen_random_uuid(), 'chi-' || i, 1, now() - interval '1 minute' + i * interval '1 ms'
          from generate_series(1, ${entrantsPerDraw}) i`;
      await pg()`select draw_drop(${productId}::int)`;
      const [first] = await pg()<{ rank: number }[]>`
        select draw_rank as rank from waitlist_entries where product_id = ${productId} order by joined_at limit 1`;
      counts[(first?.rank as number) - 1] = (counts[(first?.rank as number) - 1] ?? 0) + 1;
    }
    // Drawn and never opened: gone, so no worker of a later test opens them.
    await pg()`delete from products where id = any(${drops}::int[])`;
    const expected = 200 / entrantsPerDraw;
    const chiSquare = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: above 27.88 happens by chance once in 1,000 runs.
    expect(chiSquare).toBeLessThan(27.88);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(200);
  });
});
