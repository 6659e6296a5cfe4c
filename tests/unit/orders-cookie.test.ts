import { describe, expect, it } from "vitest";
import { newCartId } from "@/lib/cart/cart-id";
import { mayView, withOrder } from "@/lib/checkout/order-access";

// Which orders a browser may look at: the ids its checkouts wrote into a signed cookie.
describe("the orders cookie", () => {
  it("lets the browser that placed an order see it, and no one without the cookie", () => {
    const order = newCartId();
    const cookie = withOrder(undefined, order);
    expect(mayView(cookie, order)).toBe(true);
    expect(mayView(undefined, order)).toBe(false);
    expect(mayView(cookie, newCartId())).toBe(false);
  });

  it("keeps the five most recent orders, the newest first, each once", () => {
    const orders = Array.from({ length: 7 }, () => newCartId());
    let cookie: string | undefined;
    for (const order of orders) cookie = withOrder(cookie, order);
    cookie = withOrder(cookie, orders[4] as string); // the same order again
    expect(orders.map((o) => mayView(cookie, o))).toEqual([false, false, true, true, true, true, true]);
    expect(cookie?.split("~").map((entry) => entry.split(".")[0])).toEqual([
      orders[4],
      orders[6],
      orders[5],
      orders[3],
      orders[2],
    ]);
  });

  it("ignores an entry whose signature is not ours, keeping the genuine ones", () => {
    const mine = newCartId();
    const forged = `${newCartId()}.${"A".repeat(43)}`;
    const cookie = `${forged}~${withOrder(undefined, mine)}`;
    expect(mayView(cookie, mine)).toBe(true);
    expect(mayView(cookie, forged.split(".")[0] as string)).toBe(false);
    expect(withOrder(cookie, newCartId()).split("~")).toHaveLength(2); // the forged entry is dropped
  });
});
