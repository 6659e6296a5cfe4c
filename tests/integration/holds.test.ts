import { describe, expect, it } from "vitest";
import { addToCart, emptyCart, removeLine, setLineQuantity } from "@/lib/cart/mutations";
import { getCart } from "@/lib/cart/read";
import { ShopError } from "@/lib/base/shop-error";
import { countersOf, createProduct, ledgerViolations } from "../support/ledger";

const shopper = (cartId: string | null = null) => ({ cartId, clientIp: "198.51.100.7" });

async function refusal(work: Promise<unknown>): Promise<ShopError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof ShopError)) throw new Error(`expected a ShopError, got ${String(error)}`);
  return error;
}

describe("holding stock", () => {
  it("1,000 shoppers racing for 10 units: exactly 10 holds, 990 told it is sold out", async () => {
    const productId = await createProduct(10);
    const started = performance.now();
    const outcomes = await Promise.allSettled(Array.from({ length: 1_000 }, () => addToCart(shopper(), productId, 1)));
    const elapsedMs = Math.round(performance.now() - started);

    const held = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as ShopError] : []));
    expect(held).toHaveLength(10);
    expect(refused).toHaveLength(990);
    expect(new Set(refused.map((e) => e.code))).toEqual(new Set(["insufficient_stock"]));
    expect(refused.every((e) => e.details.available === 0)).toBe(true);
    expect(await countersOf(productId)).toEqual({ onHand: 10, available: 0, reserved: 10, sold: 0 });
    expect(await ledgerViolations()).toEqual([]);
    console.log(`[holds] 1,000 concurrent shoppers for 10 units took ${elapsedMs} ms`);
  });

  it("changing a line up and down moves exactly the difference, removing and emptying return everything", async () => {
    const mugs = await createProduct(20);
    const lamps = await createProduct(5);
    const { cartId } = await addToCart(shopper(), mugs, 3);
    await addToCart(shopper(cartId), lamps, 2);
    expect((await countersOf(mugs)).available).toBe(17);

    let cart = await setLineQuantity(cartId, mugs, 7);
    expect(cart.items.find((i) => i.productId === mugs)?.quantity).toBe(7);
    expect(await countersOf(mugs)).toMatchObject({ available: 13, reserved: 7 });

    cart = await setLineQuantity(cartId, mugs, 2);
    expect(await countersOf(mugs)).toMatchObject({ available: 18, reserved: 2 });

    cart = await removeLine(cartId, mugs);
    expect(cart.items.map((i) => i.productId)).toEqual([lamps]);
    expect(await countersOf(mugs)).toMatchObject({ available: 20, reserved: 0 });

    await emptyCart(cartId);
    expect(await countersOf(lamps)).toMatchObject({ available: 5, reserved: 0 });
    expect((await getCart(cartId)).items).toEqual([]);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("adding more than is left is refused with the number still available, and holds nothing", async () => {
    const productId = await createProduct(3);
    const { cartId } = await addToCart(shopper(), productId, 2);
    const error = await refusal(addToCart(shopper(cartId), productId, 2));
    expect(error.code).toBe("insufficient_stock");
    expect(error.details.available).toBe(1);
    expect((await getCart(cartId)).items[0]?.quantity).toBe(2);
    expect(await countersOf(productId)).toMatchObject({ available: 1, reserved: 2 });
  });

  it("refuses unknown products, and a cart past its limits, changing nothing", async () => {
    const productId = await createProduct(100);
    expect((await refusal(addToCart(shopper(), 999_999, 1))).code).toBe("unknown_product");

    const { cartId } = await addToCart(shopper(), productId, 9);
    // MAX_QTY_PER_LINE is 10 in these tests.
    expect((await refusal(addToCart(shopper(cartId), productId, 2))).code).toBe("cart_limit");
    // MAX_LINES is 5.
    const others = await Promise.all([1, 2, 3, 4, 5].map(() => createProduct(10)));
    for (const other of others.slice(0, 4)) await addToCart(shopper(cartId), other, 1);
    const tooMany = await refusal(addToCart(shopper(cartId), others[4] as number, 1));
    expect(tooMany.code).toBe("cart_limit");
    // MAX_UNITS_PER_CART is 20: 9 + 4 held; 8 more would make 21.
    expect((await refusal(setLineQuantity(cartId, others[0] as number, 9))).code).toBe("cart_limit");
    expect(await countersOf(productId)).toMatchObject({ available: 91, reserved: 9 });
    expect(await countersOf(others[4] as number)).toMatchObject({ available: 10, reserved: 0 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("a line cannot be changed without a cart", async () => {
    const productId = await createProduct(5);
    expect((await refusal(setLineQuantity(null, productId, 1))).code).toBe("cart_not_found");
  });

  it("asking for one more of what is all in my own cart says so, not that other shoppers hold it", async () => {
    const productId = await createProduct(2);
    const mine = await addToCart({ cartId: null, clientIp: "198.51.100.90" }, productId, 2);
    const refusal = await addToCart({ cartId: mine.cartId, clientIp: "198.51.100.90" }, productId, 1).catch(
      (e: ShopError) => e,
    );
    expect(refusal).toMatchObject({
      code: "insufficient_stock",
      message: "You have the last ones: all of them are in your cart.",
    });
    expect(await countersOf(productId)).toMatchObject({ available: 0, reserved: 2 });
  });
});
