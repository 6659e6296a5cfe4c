import { afterEach, describe, expect, it } from "vitest";
import { extendHold } from "@/lib/cart/extend";
import { addToCart, setLineQuantity } from "@/lib/cart/mutations";
import { getCart } from "@/lib/cart/read";
import { releaseCart } from "@/lib/hold/release";
import { receiveStock } from "@/lib/admin/restock";
import { placeOrder } from "@/lib/checkout/place-order";
import { pg } from "@/lib/db/client";
import { ShopError } from "@/lib/base/shop-error";
import { entriesOf, joinWaitlist, leaveWaitlist } from "@/lib/waitlist/entries";
import { onStockChanges } from "@/lib/hold/stock-feed";
import { publishStockChanges } from "@/lib/hold/stock-events";
import { entriesWhenOffered, offerWaitSeconds } from "@/lib/streams/offer-wait";
import { backdateCart, countersOf, createProduct, ledgerViolations } from "../support/ledger";
import { WorkerProcess } from "../../scripts/harness/worker-process";
import { setTestConfig } from "../support/config";
import { waitFor } from "../support/wait-for";

// Short holds and offers, so a hand-off happens within the test; the worker's sweeper every 500 ms.
setTestConfig({ CART_TTL_SECONDS: "2", OFFER_TTL_SECONDS: "2" });
const SWEEP_MS = 500;

const workers: WorkerProcess[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

let n = 0;
/** A shopper: their own address (so per-client caps see different clients) and waiter id. */
const shopper = () => {
  n += 1;
  return { waiterId: crypto.randomUUID(), clientKey: `198.51.100.${n % 250}`, cartId: null as string | null };
};
const codeOf = (work: Promise<unknown>) =>
  work.then(
    () => "ok",
    (e: unknown) => (e instanceof ShopError ? e.code : String(e)),
  );
const waiterCart = async (waiterId: string) => {
  const [row] = await pg()<{ id: string }[]>`
    select id from carts where waiter_id = ${waiterId} and state = 'active' order by created_at desc limit 1`;
  return row?.id ?? null;
};
const linesOf = async (cartId: string | null) =>
  cartId ? (await getCart(cartId)).items.map((i) => [i.productId, i.quantity]) : [];

describe("the waiting line (invariant 8)", () => {
  it("a freed unit goes to the first in line, never through `available`; an offer that runs out passes on; checkout claims it", async () => {
    const worker = new WorkerProcess({ SWEEP_INTERVAL_MS: String(SWEEP_MS) });
    workers.push(worker);
    await worker.started();
    const productId = await createProduct(1);
    const a = shopper();
    const { cartId: aCart } = await addToCart({ cartId: null, clientIp: a.clientKey }, productId, 1);
    const b = shopper();
    const c = shopper();
    expect(await joinWaitlist(b, productId, 1)).toMatchObject({ position: 1, offer: null });
    expect(await joinWaitlist(c, productId, 1)).toMatchObject({ position: 2, offer: null });
    expect(await codeOf(joinWaitlist(b, productId, 1))).toBe("already_waiting");

    // Until B holds it: sample `available`, and let a bot ask for the unit all the while.
    let maxAvailable = 0;
    let botGot = 0;
    let stop = false;
    const sampler = (async () => {
      while (!stop) {
        maxAvailable = Math.max(maxAvailable, (await countersOf(productId)).available);
        if ((await codeOf(addToCart({ cartId: null, clientIp: "203.0.113.9" }, productId, 1))) === "ok") botGot += 1;
      }
    })();
    // The hold runs out (2 s), then the sweeper hands the unit to B (invariant 4: within a sweep
    // interval + 1 s); generous, so a slow machine only waits longer.
    await waitFor(async () => (await linesOf(await waiterCart(b.waiterId))).length > 0, {
      timeout: 2_000 + SWEEP_MS + 10_000,
      what: "the unit handed to B",
    });
    const bCart = await waiterCart(b.waiterId);
    expect(await linesOf(bCart)).toEqual([[productId, 1]]);
    expect(await entriesOf(b.waiterId)).toEqual([
      expect.objectContaining({ productId, position: null, offer: expect.objectContaining({ units: 1 }) }),
    ]);
    expect((await entriesOf(c.waiterId))[0]).toMatchObject({ position: 1, offer: null });
    expect(await extendHold(aCart).catch((e: ShopError) => e.code)).toBe("cart_expired");

    // B lets the offer run out: it passes to C, still never through `available`.
    await waitFor(async () => (await linesOf(await waiterCart(c.waiterId))).length > 0, {
      timeout: 2_000 + SWEEP_MS + 10_000,
      what: "the unit passed on to C",
    });
    stop = true;
    await sampler;
    expect(maxAvailable).toBe(0);
    expect(botGot).toBe(0);
    expect(await entriesOf(b.waiterId)).toEqual([]); // B's place ended with the offer

    const cCart = await waiterCart(c.waiterId);
    const { order } = await placeOrder(cCart, { email: "c@example.com", name: "C" });
    expect(order.items).toEqual([expect.objectContaining({ productId, quantity: 1 })]);
    expect(await entriesOf(c.waiterId)).toEqual([]); // claimed
    expect(await countersOf(productId)).toEqual({ onHand: 1, available: 0, reserved: 0, sold: 1 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("leaving declines the offer at once; a smaller line, emptying and a restock all go to the line first", async () => {
    const productId = await createProduct(3);
    const holder = { cartId: null as string | null, clientIp: "198.51.100.200" };
    ({ cartId: holder.cartId } = await addToCart(holder, productId, 3));
    const [first, second, third] = [shopper(), shopper(), shopper()];
    await joinWaitlist(first, productId, 1);
    await joinWaitlist(second, productId, 2);
    await joinWaitlist(third, productId, 1);

    // The holder keeps 2 of 3: the freed unit is the first waiter's.
    await setLineQuantity(holder.cartId, productId, 2);
    expect(await linesOf(await waiterCart(first.waiterId))).toEqual([[productId, 1]]);
    // The first waiter leaves: declined, and it goes to the second (who wanted 2, gets 1).
    await leaveWaitlist(first.waiterId, productId);
    expect(await linesOf(await waiterCart(second.waiterId))).toEqual([[productId, 1]]);
    expect(await entriesOf(second.waiterId)).toEqual([
      expect.objectContaining({ offer: expect.objectContaining({ units: 1 }) }),
    ]);
    // A restock of 2: the third waiter gets 1, the rest is for sale.
    await receiveStock(productId, 2);
    expect(await linesOf(await waiterCart(third.waiterId))).toEqual([[productId, 1]]);
    expect(await countersOf(productId)).toMatchObject({ onHand: 5, available: 1, reserved: 4 });
    // Nobody waits now: the holder may keep the hold longer again.
    await expect(extendHold(holder.cartId)).resolves.toMatchObject({
      items: [expect.objectContaining({ quantity: 2 })],
    });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("leaving and checking out the same offer at once: exactly one of them succeeds, the other says what happened", async () => {
    const outcomes: string[] = [];
    for (let round = 0; round < 12; round += 1) {
      const productId = await createProduct(1);
      const holder = { cartId: null as string | null, clientIp: "198.51.100.201" };
      ({ cartId: holder.cartId } = await addToCart(holder, productId, 1));
      const waiter = shopper();
      await joinWaitlist(waiter, productId, 1);
      await setLineQuantity(holder.cartId, productId, 0); // the unit is the waiter's offer now
      const offerCart = await waiterCart(waiter.waiterId);
      expect(await linesOf(offerCart)).toEqual([[productId, 1]]);

      const [left, ordered] = await Promise.allSettled([
        leaveWaitlist(waiter.waiterId, productId),
        placeOrder(offerCart, { email: "both@example.com", name: "Both" }),
      ]);
      const code = (r: PromiseSettledResult<unknown>) =>
        r.status === "fulfilled" ? "ok" : r.reason instanceof ShopError ? r.reason.code : String(r.reason);
      outcomes.push(`${code(left)}/${code(ordered)}`);
      // Exactly one: left (the order then finds nothing to buy) or bought (leaving then says so,
      // whether the checkout had already ended the entry or not).
      if (code(ordered) === "ok") expect(code(left)).toBe("cart_changed");
      else expect(code(left)).toBe("ok");
      const counters = await countersOf(productId);
      expect(counters.sold + counters.available + counters.reserved).toBe(1);
      expect(counters.sold).toBe(code(ordered) === "ok" ? 1 : 0);
    }
    expect(await ledgerViolations()).toEqual([]);
  });

  it("extension is refused while someone waits; joining is refused while enough are in stock", async () => {
    const productId = await createProduct(1);
    const holder = await addToCart({ cartId: null, clientIp: "198.51.100.201" }, productId, 1);
    await joinWaitlist(shopper(), productId, 1);
    const refusal = await extendHold(holder.cartId).catch((e: ShopError) => e);
    expect(refusal).toMatchObject({ code: "extension_refused", details: { reason: "waitlist" } });

    const plenty = await createProduct(5);
    expect(await codeOf(joinWaitlist(shopper(), plenty, 2))).toBe("in_stock");
  });

  it("units a line change frees while someone waits go to the line, never to a request beside it; declining gives back only the offer", async () => {
    for (let round = 0; round < 20; round += 1) {
      const productId = await createProduct(2);
      const holder = await addToCart({ cartId: null, clientIp: "198.51.100.210" }, productId, 2);
      const waiter = shopper();
      await joinWaitlist(waiter, productId, 1);
      // The holder gives one back while another shopper asks for one: batched together or not,
      // the unit is the waiter's.
      const [, other] = await Promise.all([
        setLineQuantity(holder.cartId, productId, 1),
        codeOf(addToCart({ cartId: null, clientIp: "203.0.113.77" }, productId, 1)),
      ]);
      expect(other).toBe("insufficient_stock");
      expect(await linesOf(await waiterCart(waiter.waiterId))).toEqual([[productId, 1]]);
    }

    // A shopper holding 2 of one item cannot also wait for more of it (they would come back to
    // them); waiting for another item, its offer joins their cart, and declining gives back only it.
    const productId = await createProduct(1);
    const keptProduct = await createProduct(2);
    const keeper = shopper();
    const kept = await addToCart({ cartId: null, clientIp: keeper.clientKey }, keptProduct, 2);
    expect(await codeOf(joinWaitlist({ ...keeper, cartId: kept.cartId }, keptProduct, 1))).toBe("already_holding");
    const other = await addToCart({ cartId: null, clientIp: "198.51.100.211" }, productId, 1);
    await joinWaitlist({ ...keeper, cartId: kept.cartId }, productId, 1);
    await setLineQuantity(other.cartId, productId, 0);
    expect(await entriesOf(keeper.waiterId)).toEqual([
      expect.objectContaining({ offer: expect.objectContaining({ units: 1 }) }),
    ]);
    await leaveWaitlist(keeper.waiterId, productId);
    expect(await linesOf(kept.cartId)).toEqual([[keptProduct, 2]]);
    expect(await countersOf(productId)).toMatchObject({ available: 1, reserved: 0 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("200 rounds of a hold ending while a new waiter joins and another leaves: every unit in exactly one place, in line order", async () => {
    const outcomes = { handedToFirstInLine: 0, toAvailable: 0 };
    for (let round = 0; round < 200; round += 1) {
      const productId = await createProduct(1);
      const holder = await addToCart({ cartId: null, clientIp: "198.51.100.202" }, productId, 1);
      const leaving = shopper();
      const early = shopper();
      await joinWaitlist(leaving, productId, 1);
      await joinWaitlist(early, productId, 1);
      const late = shopper();
      await backdateCart(holder.cartId);
      // The release, a join and a leave, all at once.
      await Promise.all([
        releaseCart(holder.cartId, "sweep"),
        joinWaitlist(late, productId, 1),
        leaveWaitlist(leaving.waiterId, productId),
      ]);

      const holders = await pg()<{ waiter_id: string | null; quantity: number }[]>`
        select c.waiter_id, r.quantity from reservations r join carts c on c.id = r.cart_id
         where r.product_id = ${productId} and c.state = 'active'`;
      const counters = await countersOf(productId);
      // Exactly one place: one unit, held by one cart or available, never both.
      expect(counters.available + counters.reserved + counters.sold).toBe(1);
      expect(holders.reduce((s, h) => s + h.quantity, 0)).toBe(counters.reserved);
      if (counters.reserved === 1) {
        // In line order: `leaving` had it if the release came first, then declined it and it moved
        // on; either way it is now with the first still in line, never with the one who came late.
        expect(holders[0]?.waiter_id).toBe(early.waiterId);
        outcomes.handedToFirstInLine += 1;
      } else {
        outcomes.toAvailable += 1;
      }
      expect(await entriesOf(leaving.waiterId)).toEqual([]);
    }
    console.log(`[figures] ${JSON.stringify({ scenario: "waitlist-race", rounds: 200, ...outcomes })}`);
    expect(outcomes.toAvailable).toBe(0); // someone always waited
    expect(await ledgerViolations()).toEqual([]);
  }, 120_000);

  it("a long poll of the line (GET /api/waitlist?wait=) is answered when the waiter is offered units, not at the end of its wait", async () => {
    // The process's one subscription opens with its first listener: wait until it hears a message.
    const heard = new Set<number>();
    const stopListening = onStockChanges((changes) => changes.forEach((c) => heard.add(c.productId)));
    await waitFor(
      async () => {
        await publishStockChanges([{ productId: 2_000_000_001, available: 0 }]);
        return heard.has(2_000_000_001);
      },
      { timeout: 10_000, interval: 100, what: "the stock subscription" },
    );
    stopListening();

    const productId = await createProduct(1);
    const holder = { cartId: null as string | null, clientIp: "198.51.100.201" };
    ({ cartId: holder.cartId } = await addToCart(holder, productId, 1));
    const waiter = shopper();
    await joinWaitlist(waiter, productId, 1);
    const stays = new AbortController().signal;
    // Ten minutes of wait, far past this test's own timeout: only the offer can answer it in time.
    let answered = false;
    const answer = entriesWhenOffered(waiter.waiterId, 600_000, stays).finally(() => (answered = true));
    await new Promise((r) => setTimeout(r, 200)); // its first read of the line is done
    expect(answered).toBe(false);
    await setLineQuantity(holder.cartId, productId, 0); // the unit is freed: the waiter's offer
    expect(await answer).toEqual([
      expect.objectContaining({ productId, position: null, offer: expect.objectContaining({ units: 1 }) }),
    ]);
    // An offer already made, and a waiter in no line, are answered at once.
    expect((await entriesWhenOffered(waiter.waiterId, 600_000, stays))[0]?.offer).toMatchObject({ units: 1 });
    expect(await entriesWhenOffered(crypto.randomUUID(), 600_000, stays)).toEqual([]);
    // A caller that goes away ends its wait.
    const other = shopper();
    await joinWaitlist(other, productId, 1);
    const leaving = new AbortController();
    const abandoned = entriesWhenOffered(other.waiterId, 600_000, leaving.signal);
    leaving.abort();
    expect(await abandoned).toEqual([expect.objectContaining({ productId, position: 1, offer: null })]);
    // What `?wait=` may say.
    expect([null, "0", "1", "25"].map(offerWaitSeconds)).toEqual([0, 0, 1, 25]);
    for (const bad of ["26", "-1", "1.5", "abc", ""])
      expect(() => offerWaitSeconds(bad), bad).toThrow(expect.objectContaining({ code: "invalid_request" }));
    expect(await ledgerViolations()).toEqual([]);
  }, 30_000);
});
