import { describe, expect, it } from "vitest";
import { addToCart, setLineQuantity } from "@/lib/cart/mutations";
import { getCart } from "@/lib/cart/read";
import { findProductById, listProducts } from "@/lib/catalog/catalog-listing";
import { stockUnitOf } from "@/lib/catalog/variants";
import { pg } from "@/lib/db/client";
import { ShopError } from "@/lib/base/shop-error";
import { describeError } from "@/lib/http/error-response";
import { entriesOf, joinWaitlist } from "@/lib/waitlist/entries";
import { countersOf, createProduct, createProductInVariants, ledgerViolations } from "../support/ledger";
import { setTestConfig } from "../support/config";

// Per-client caps on, as a store runs: each shopper below is a client of their own.
setTestConfig({ HOLD_LIMITS: "on" });

const codeOf = (work: Promise<unknown>): Promise<string> =>
  work.then(
    () => "held",
    (e: unknown) => (e instanceof ShopError ? e.code : `status ${describeError(e).status}`),
  );

describe("variants: each size its own stock, holds and line", () => {
  it("1,000 shoppers at once over 3 sizes get exactly each size's stock, and nothing of another's", async () => {
    const { variantIds } = await createProductInVariants({ "EU 41": 5, "EU 42": 12, "EU 43": 3 });
    const sizes = Object.values(variantIds);
    const outcomes = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) => {
        const size = sizes[i % 3]!;
        return codeOf(addToCart({ cartId: null, clientIp: `10.7.${i >> 8}.${i & 255}` }, size, 1)).then((o) => [
          size,
          o,
        ]);
      }),
    );
    for (const [option, stock] of [
      ["EU 41", 5],
      ["EU 42", 12],
      ["EU 43", 3],
    ] as const) {
      const id = variantIds[option]!;
      expect(outcomes.filter(([size, o]) => size === id && o === "held")).toHaveLength(stock);
      expect(await countersOf(id)).toEqual({ onHand: stock, available: 0, reserved: stock, sold: 0 });
    }
    expect(outcomes.every(([, o]) => o === "held" || o === "insufficient_stock")).toBe(true);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("a size's line gets that size's freed units only", async () => {
    const { variantIds } = await createProductInVariants({ S: 1, M: 1 });
    const [small, medium] = [variantIds.S!, variantIds.M!];
    const holder = await addToCart({ cartId: null, clientIp: "198.51.100.71" }, small, 1);
    await addToCart({ cartId: holder.cartId, clientIp: "198.51.100.71" }, medium, 1);
    const waiter = (n: number) => ({ waiterId: crypto.randomUUID(), clientKey: `198.51.100.${80 + n}`, cartId: null });
    const [wantsSmall, wantsMedium] = [waiter(1), waiter(2)];
    await joinWaitlist(wantsSmall, small, 1);
    await joinWaitlist(wantsMedium, medium, 1);

    // The holder gives back the medium: it goes to the one waiting for M, and S's line still waits.
    await setLineQuantity(holder.cartId, medium, 0);
    expect(await entriesOf(wantsMedium.waiterId)).toEqual([
      expect.objectContaining({ productId: medium, offer: expect.objectContaining({ units: 1 }) }),
    ]);
    expect(await entriesOf(wantsSmall.waiterId)).toEqual([
      expect.objectContaining({ productId: small, position: 1, offer: null }),
    ]);
    expect((await getCart(holder.cartId)).items.map((i) => [i.productId, i.quantity])).toEqual([[small, 1]]);
    expect(await countersOf(small)).toMatchObject({ available: 0, reserved: 1 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("a product in variants named alone is refused with its choices (400 variant_required), and changes nothing", async () => {
    const { productId, variantIds } = await createProductInVariants({ Blue: 2, Red: 2 });
    const refusal = await addToCart({ cartId: null, clientIp: "198.51.100.90" }, productId, 1).catch((e) => e);
    expect(refusal).toBeInstanceOf(ShopError);
    expect(describeError(refusal)).toMatchObject({
      status: 400,
      body: {
        error: {
          code: "variant_required",
          variants: [
            { id: variantIds.Blue, option: "Blue" },
            { id: variantIds.Red, option: "Red" },
          ],
        },
      },
    });
    const waiter = { waiterId: crypto.randomUUID(), clientKey: "198.51.100.91", cartId: null };
    expect(await codeOf(joinWaitlist(waiter, productId, 1))).toBe("variant_required");
    const [started] = await pg()<{ carts: number }[]>`
      select count(*)::int as carts from carts where client_key in ('198.51.100.90', '198.51.100.91')`;
    expect(started?.carts).toBe(0);
    // An id nobody knows is still unknown.
    expect(await codeOf(addToCart({ cartId: null, clientIp: "198.51.100.92" }, 2_000_000_000, 1))).toBe(
      "unknown_product",
    );
  });

  it("a request names the variant, or the product and one of its variants; a product sold as one thing is its own", async () => {
    const { productId, variantIds } = await createProductInVariants({ S: 1 });
    const single = await createProduct(1);
    expect(await stockUnitOf({ variantId: variantIds.S })).toBe(variantIds.S);
    expect(await stockUnitOf({ productId, variantId: variantIds.S })).toBe(variantIds.S);
    expect(await stockUnitOf({ productId: single })).toBe(single);
    expect(await stockUnitOf({ productId: single, variantId: single })).toBe(single);
    expect(await codeOf(stockUnitOf({ productId: single, variantId: variantIds.S }))).toBe("invalid_request");
  });

  it("the catalog lists each product with its variants; a product's figures are its variants' sums", async () => {
    const { productId, variantIds } = await createProductInVariants({ "EU 42": 4, "EU 43": 2 });
    const single = await createProduct(7);
    await addToCart({ cartId: null, clientIp: "198.51.100.95" }, variantIds["EU 43"]!, 1);

    const product = await findProductById(productId);
    expect(product).toMatchObject({ id: productId, available: 5, reserved: 1, parentId: null, option: null });
    expect(product?.nextReleaseAt).not.toBeNull(); // the size's hold
    expect(product?.variants).toEqual([
      expect.objectContaining({ id: variantIds["EU 42"], option: "EU 42", available: 4, reserved: 0 }),
      expect.objectContaining({ id: variantIds["EU 43"], option: "EU 43", available: 1, reserved: 1 }),
    ]);
    const listed = await listProducts();
    expect(listed.filter((p) => p.id === productId)).toHaveLength(1);
    // Variants are listed under their product, never as products of their own.
    expect(listed.some((p) => p.id === variantIds["EU 42"])).toBe(false);
    expect(listed.find((p) => p.id === single)?.variants).toEqual([
      expect.objectContaining({ id: single, option: null, available: 7 }),
    ]);
    // Asked for a variant's id, the catalog knows no product.
    expect(await findProductById(variantIds["EU 42"]!)).toBeNull();
  });
});
