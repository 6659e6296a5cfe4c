import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addToCart } from "@/lib/cart/mutations";
import { getCart } from "@/lib/cart/read";
import { placeOrder } from "@/lib/checkout/place-order";
import { db } from "@/lib/db/client";
import { carts, orders } from "@/lib/db/schema";
import { ShopError } from "@/lib/base/shop-error";
import { releaseCart } from "@/lib/hold/release";
import { backdateCart, countersOf, createProduct, ledgerViolations } from "../support/ledger";

const shopper = (cartId: string | null = null) => ({ cartId, clientIp: "198.51.100.20" });
const contact = { email: "ada@example.com", name: "Ada" };
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => (e instanceof ShopError ? e.code : String(e)),
  );

describe("checkout", () => {
  it("turns the holds into an order at today's prices: reserved becomes sold", async () => {
    const mug = await createProduct(10, 1_800);
    const lamp = await createProduct(3, 18_000);
    const { cartId } = await addToCart(shopper(), mug, 2);
    await addToCart(shopper(cartId), lamp, 1);

    const { order, created } = await placeOrder(cartId, contact);
    expect(created).toBe(true);
    expect(order.totalCents).toBe(2 * 1_800 + 18_000);
    expect(order.items.map((i) => [i.productId, i.quantity, i.unitPriceCents])).toEqual([
      [mug, 2, 1_800],
      [lamp, 1, 18_000],
    ]);
    expect(await countersOf(mug)).toEqual({ onHand: 10, available: 8, reserved: 0, sold: 2 });
    expect(await countersOf(lamp)).toEqual({ onHand: 3, available: 2, reserved: 0, sold: 1 });
    expect((await getCart(cartId)).items).toEqual([]);
    // Expiry can no longer touch it.
    await backdateCart(cartId);
    expect(await releaseCart(cartId, "sweep")).toBeNull();
    expect(await countersOf(mug)).toMatchObject({ sold: 2, available: 8 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("a double submit, and two tabs submitting at once, make one order", async () => {
    const productId = await createProduct(5);
    const { cartId } = await addToCart(shopper(), productId, 2);
    const results = await Promise.all([
      placeOrder(cartId, contact),
      placeOrder(cartId, contact),
      placeOrder(cartId, contact),
    ]);
    expect(new Set(results.map((r) => r.order.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const again = await placeOrder(cartId, contact);
    expect(again.order.id).toBe(results[0]?.order.id);
    expect(await db().select().from(orders).where(eq(orders.cartId, cartId))).toHaveLength(1);
    expect(await countersOf(productId)).toMatchObject({ available: 3, reserved: 0, sold: 2 });
  });

  it("an empty cart answers cart_empty, an expired one cart_expired and gives its units back", async () => {
    const productId = await createProduct(5);
    expect(await codeOf(placeOrder(null, contact))).toBe("cart_empty");
    const { cartId } = await addToCart(shopper(), productId, 1);
    const { removeLine } = await import("@/lib/cart/mutations");
    await removeLine(cartId, productId);
    expect(await codeOf(placeOrder(cartId, contact))).toBe("cart_empty");

    const late = await addToCart(shopper(), productId, 2);
    await backdateCart(late.cartId);
    expect(await codeOf(placeOrder(late.cartId, contact))).toBe("cart_expired");
    expect(await countersOf(productId)).toEqual({ onHand: 5, available: 5, reserved: 0, sold: 0 });
    expect(await codeOf(placeOrder(late.cartId, contact))).toBe("cart_expired");
  });

  it("200 rounds of checkout racing release at the exact deadline: always exactly one outcome", async () => {
    const productId = await createProduct(1_000);
    const outcomes = { ordered: 0, released: 0, releasedByRelease: 0, releasedByCheckout: 0 };
    for (let round = 0; round < 200; round += 1) {
      const { cartId } = await addToCart(shopper(), productId, 1);
      // Move the deadline to 25 ms from now by the database clock, and learn how far that is.
      const [row] = await db().execute<{ wait_ms: number }>(sql`
        update carts set expires_at = clock_timestamp() + interval '25 milliseconds' where id = ${cartId}
        returning extract(epoch from expires_at - clock_timestamp()) * 1000 as wait_ms`);
      // Fire both around the deadline: a few ms before, at, or after it.
      const jitter = (round % 9) - 4;
      await new Promise((r) => setTimeout(r, Math.max(0, Number(row?.wait_ms) + jitter)));
      const [checkout, release] = await Promise.allSettled([placeOrder(cartId, contact), releaseCart(cartId, "sweep")]);

      const ordered = checkout.status === "fulfilled";
      const released = !ordered; // checkout refused: it must have been released, by it or by release
      if (!ordered) expect((checkout.reason as ShopError).code).toBe("cart_expired");
      if (release.status === "rejected") throw release.reason;
      if (ordered) expect(release.value).toBeNull();
      const [cart] = await db().select({ state: carts.state }).from(carts).where(eq(carts.id, cartId));
      expect(cart?.state).toBe(ordered ? "checked_out" : "expired");
      const orderRows = await db().select().from(orders).where(eq(orders.cartId, cartId));
      expect(orderRows).toHaveLength(ordered ? 1 : 0);
      outcomes.ordered += ordered ? 1 : 0;
      outcomes.released += released ? 1 : 0;
      if (released) outcomes[release.value ? "releasedByRelease" : "releasedByCheckout"] += 1;
    }
    const c = await countersOf(productId);
    expect(c).toEqual({ onHand: 1_000, available: 1_000 - outcomes.ordered, reserved: 0, sold: outcomes.ordered });
    expect(await ledgerViolations()).toEqual([]);
    console.log(
      `[checkout race] 200 rounds: ${outcomes.ordered} ordered, ${outcomes.released} released ` +
        `(${outcomes.releasedByRelease} by release, ${outcomes.releasedByCheckout} by checkout finding it overdue)`,
    );
    // Both sides of the deadline were really hit.
    expect(outcomes.ordered).toBeGreaterThan(0);
    expect(outcomes.released).toBeGreaterThan(0);
  });
});
