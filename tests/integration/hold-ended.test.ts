import { describe, expect, it } from "vitest";
import { holdAgain } from "@/lib/shopper/hold-again";
import { readHoldState } from "@/lib/shopper/hold-state";
import { addToCart, emptyCart } from "@/lib/cart/mutations";
import { getCart } from "@/lib/cart/read";
import { releaseCart } from "@/lib/hold/release";
import { backdateCart, countersOf, createProduct, ledgerViolations } from "../support/ledger";

const shopper = (ip: string) => ({ cartId: null, clientIp: ip });

describe("a hold that ended: told, and held again", () => {
  it("the ended cart remembers what it released; holding again takes exactly what is left, as ordinary holds", async () => {
    const scarce = await createProduct(3);
    const plenty = await createProduct(50);
    const first = await addToCart(shopper("198.51.100.60"), scarce, 2);
    await addToCart({ cartId: first.cartId, clientIp: "198.51.100.60" }, plenty, 1);
    await backdateCart(first.cartId);
    expect(await releaseCart(first.cartId, "sweep")).toMatchObject({ units: 3 });

    const told = await readHoldState(first.cartId);
    expect(told.cart.items).toEqual([]);
    expect(told.ended?.items.map((i) => [i.productId, i.quantity, i.availableNow])).toEqual([
      [scarce, 2, 3],
      [plenty, 1, 50],
    ]);

    // Another shopper takes two of the three meanwhile.
    await addToCart(shopper("198.51.100.61"), scarce, 2);
    const again = await holdAgain({ cartId: first.cartId, clientIp: "198.51.100.60" });
    expect(again).toMatchObject({ created: true, held: 2, missed: 1 });
    expect(again.cartId).not.toBe(first.cartId);
    const cart = await getCart(again.cartId);
    expect(cart.items.map((i) => [i.productId, i.quantity])).toEqual([
      [scarce, 1],
      [plenty, 1],
    ]);
    expect(await countersOf(scarce)).toMatchObject({ available: 0, reserved: 3 });
    expect(await countersOf(plenty)).toMatchObject({ available: 49, reserved: 1 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("a live cart, a checked-out or unknown one has no ended hold; nothing left means nothing held", async () => {
    const productId = await createProduct(1);
    const live = await addToCart(shopper("198.51.100.62"), productId, 1);
    expect((await readHoldState(live.cartId)).ended).toBeNull();
    expect((await readHoldState(crypto.randomUUID())).ended).toBeNull();

    await emptyCart(live.cartId); // ended early by the shopper: it went back, and it says so
    await addToCart(shopper("198.51.100.63"), productId, 1); // ...and someone else took it
    const again = await holdAgain({ cartId: live.cartId, clientIp: "198.51.100.62" });
    expect(again).toMatchObject({ cartId: null, cart: null, held: 0, missed: 1 });
    expect(await countersOf(productId)).toMatchObject({ available: 0, reserved: 1 });
  });
});
