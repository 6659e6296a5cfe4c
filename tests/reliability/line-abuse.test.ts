import { afterEach, describe, expect, it } from "vitest";
import { extendHold } from "@/lib/cart/extend";
import { addToCart, setLineQuantity } from "@/lib/cart/mutations";
import { pg } from "@/lib/db/client";
import { ShopError } from "@/lib/base/shop-error";
import { entriesOf, joinWaitlist } from "@/lib/waitlist/entries";
import { recordFigures } from "../support/figures";
import { createProduct, ledgerViolations } from "../support/ledger";
import { WorkerProcess } from "../../scripts/harness/worker-process";
import { setTestConfig } from "../support/config";
import { waitFor } from "../support/wait-for";

// The waiting line used to keep a unit: a holder waiting for its own unit, identities of one
// client handing an offer round among themselves, and offers stretching a cart past its
// extensions. Holds and offers of 3 s, a sweeper every 500 ms, per-client caps on.
setTestConfig({ CART_TTL_SECONDS: "3", OFFER_TTL_SECONDS: "3", HOLD_LIMITS: "on", MAX_HOLD_EXTENSIONS: "2" });
const SWEEP_MS = 500;

const workers: WorkerProcess[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});
const codeOf = (work: Promise<unknown>) =>
  work.then(
    () => "ok",
    (e: unknown) => (e instanceof ShopError ? e.code : String(e)),
  );
const identity = (clientKey: string) => ({ waiterId: crypto.randomUUID(), clientKey, cartId: null as string | null });
const cartOf = async (cartId: string) =>
  (
    await pg()<{ expires_ms: number; extensions_used: number; state: string }[]>`
      select (extract(epoch from expires_at) * 1000)::float8 as expires_ms, extensions_used, state::text
        from carts where id = ${cartId}`
  )[0];

describe("the line cannot keep a unit for its holder (invariant 8)", () => {
  it("a holder cannot join the line for its own unit, under any identity; a client's identities never pass an offer among themselves", async () => {
    const worker = new WorkerProcess({ SWEEP_INTERVAL_MS: String(SWEEP_MS) }, { production: true });
    workers.push(worker);
    await worker.started();
    const productId = await createProduct(1);
    const gamer = "203.0.113.77";

    // The holder's own unit: refused, whatever waiter cookie it brings.
    const { cartId: held } = await addToCart({ cartId: null, clientIp: gamer }, productId, 1);
    const tries = await Promise.all(
      Array.from({ length: 5 }, () => codeOf(joinWaitlist(identity(gamer), productId, 1))),
    );
    expect(tries).toEqual(Array(5).fill("already_holding"));
    await setLineQuantity(held, productId, 0); // lets it go: nobody waits, so it is for sale again

    // Someone else holds it; the gamer queues four identities first, an honest shopper after them.
    await addToCart({ cartId: null, clientIp: "198.51.100.77" }, productId, 1);
    const gamers = [identity(gamer), identity(gamer), identity(gamer), identity(gamer)];
    for (const g of gamers) await joinWaitlist(g, productId, 1);
    const honest = identity("192.0.2.77");
    await joinWaitlist(honest, productId, 1);
    const joinedAt = performance.now();

    // The first identity's turn comes and its offer runs out: the unit skips its other identities.
    await waitFor(async () => (await entriesOf(honest.waiterId))[0]?.offer != null, {
      timeout: 30_000,
      interval: 100,
      what: "the honest shopper's offer",
    });
    const waitedMs = Math.round(performance.now() - joinedAt);
    const offered = await Promise.all(gamers.map(async (g) => (await entriesOf(g.waiterId))[0]?.offer != null));
    const [offers] = await pg()<{ n: number }[]>`
      select count(*)::int as n from carts where client_key = ${gamer} and waiter_id is not null`;
    recordFigures("line-abuse", { honestWaitedMs: waitedMs, gamerOfferCarts: offers?.n });
    // One offer for the gamer (its first identity was first in line), none for the other three.
    expect(offers?.n).toBe(1);
    expect(offered).toEqual([false, false, false, false]);
    // The hold (3 s) and one offer (3 s), each ended within a sweep and a second: not five offers.
    expect(waitedMs).toBeLessThan(3_000 + 3_000 + 2 * (SWEEP_MS + 1_000) + 2_000);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("an offer into a cart counts as its extension; a cart with none left gets no offer, so it ends on time", async () => {
    const [given, passedBy] = [await createProduct(1), await createProduct(1)];
    const other = await createProduct(10);
    for (const [productId, extensionsLeft] of [
      [given, 1],
      [passedBy, 0],
    ] as const) {
      // The waiter holds something else in a cart with `extensionsLeft` extensions to go.
      const waiter = identity(`192.0.2.${100 + extensionsLeft}`);
      const { cartId } = await addToCart({ cartId: null, clientIp: waiter.clientKey }, other, 1);
      for (let i = 0; i < 2 - extensionsLeft; i += 1) await extendHold(cartId);
      waiter.cartId = cartId;
      const holder = await addToCart({ cartId: null, clientIp: `198.51.100.${100 + extensionsLeft}` }, productId, 1);
      await joinWaitlist(waiter, productId, 1);
      const before = await cartOf(cartId);
      await setLineQuantity(holder.cartId, productId, 0); // freed: the waiter's offer
      const [mine] = await entriesOf(waiter.waiterId);
      expect(mine?.offer).not.toBeNull();
      const after = await cartOf(cartId);
      const [offerCart] = await pg()<{ offer_cart_id: string }[]>`
        select offer_cart_id from waitlist_entries where waiter_id = ${waiter.waiterId}`;
      if (extensionsLeft > 0) {
        // Into the waiter's cart, its deadline later by the offer's time, counted as an extension.
        expect(offerCart?.offer_cart_id).toBe(cartId);
        expect(after?.extensions_used).toBe(2);
      } else {
        // A cart of its own: the spent cart keeps its deadline and its count.
        expect(offerCart?.offer_cart_id).not.toBe(cartId);
        expect(after).toEqual(before);
      }
    }
    expect(await ledgerViolations()).toEqual([]);
  });
});
