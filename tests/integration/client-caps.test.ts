import { describe, expect, it } from "vitest";
import { extendHold } from "@/lib/cart/extend";
import { addToCart, setLineQuantity } from "@/lib/cart/mutations";
import { ShopError } from "@/lib/base/shop-error";
import { pg } from "@/lib/db/client";
import { receiveStock } from "@/lib/admin/restock";
import { releaseCart } from "@/lib/hold/release";
import { joinWaitlist } from "@/lib/waitlist/entries";
import { backdateCart, countersOf, createProduct, deadlinesPassed } from "../support/ledger";
import { waitFor } from "../support/wait-for";
import { setTestConfig } from "../support/config";

// Invariant 9 alone: no new-cart rate limit, so one client can open as many carts as it likes.
setTestConfig({ HOLD_LIMITS: "on", NEW_CARTS_PER_IP_PER_MINUTE: "0" });

/** Waits until a statement of another session waits for a lock `pid` holds. */
const blockedBy = (pid: number, what: string) =>
  waitFor(
    async () => {
      const [row] = await pg()<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity where ${pid}::int = any(pg_blocking_pids(pid))`;
      return (row?.n ?? 0) > 0;
    },
    { timeout: 10_000, what },
  );

const outcome = (work: Promise<unknown>) =>
  work.then(
    () => "held",
    (e: unknown) => (e instanceof ShopError ? e.code : e),
  );

describe("no client holds more than its share (invariant 9)", () => {
  it("40 carts started at once by one client hold MAX_QTY_PER_LINE units of a 30-unit product, not 30", async () => {
    const productId = await createProduct(30);
    const hoarder = "203.0.113.60";
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, () => outcome(addToCart({ cartId: null, clientIp: hoarder }, productId, 1))),
    );
    expect(outcomes.filter((o) => o === "held")).toHaveLength(10);
    expect(outcomes.filter((o) => o === "hold_limit")).toHaveLength(30);
    expect(await countersOf(productId)).toMatchObject({ available: 20, reserved: 10 });

    // An honest client still holds what is left.
    await addToCart({ cartId: null, clientIp: "198.51.100.61" }, productId, 10);
    expect(await countersOf(productId)).toMatchObject({ available: 10, reserved: 20 });
  });

  it("adding to existing carts at once adds up too, and giving units back makes exactly that much room", async () => {
    const productId = await createProduct(30);
    const client = "203.0.113.61";
    const carts: string[] = [];
    for (let i = 0; i < 3; i += 1)
      carts.push((await addToCart({ cartId: null, clientIp: client }, productId, 3)).cartId);
    const outcomes = await Promise.all(
      carts.flatMap((cartId) =>
        Array.from({ length: 8 }, () => outcome(addToCart({ cartId, clientIp: client }, productId, 1))),
      ),
    );
    expect(outcomes.filter((o) => o === "held")).toHaveLength(1); // 9 + 1 = MAX_QTY_PER_LINE
    expect(await countersOf(productId)).toMatchObject({ available: 20, reserved: 10 });

    await setLineQuantity(carts[0] ?? null, productId, 1);
    const room = 10 - (await countersOf(productId)).reserved;
    expect(room).toBeGreaterThan(0);
    await addToCart({ cartId: carts[1] ?? null, clientIp: client }, productId, room);
    expect(await outcome(addToCart({ cartId: carts[2] ?? null, clientIp: client }, productId, 1))).toBe("hold_limit");
  });

  it("one client holds at most MAX_UNITS_PER_CART units in all, across its carts", async () => {
    const products = [await createProduct(50), await createProduct(50), await createProduct(50)];
    const client = "203.0.113.70";
    // MAX_UNITS_PER_CART is 20 in these suites: 10 + 10 in two carts, then nothing more anywhere.
    const first = await addToCart({ cartId: null, clientIp: client }, products[0] ?? 0, 10);
    await addToCart({ cartId: null, clientIp: client }, products[1] ?? 0, 10);
    expect(await outcome(addToCart({ cartId: null, clientIp: client }, products[2] ?? 0, 1))).toBe("hold_limit");
    expect(await outcome(addToCart({ cartId: first.cartId, clientIp: client }, products[2] ?? 0, 1))).toBe(
      "hold_limit",
    );
    expect(await countersOf(products[2] ?? 0)).toMatchObject({ available: 50, reserved: 0 });
  });

  it("a hold kept longer while its deadline passes is not kept once the client's next cart counted it gone", async () => {
    // Seen in a drop of 5,000 shoppers: an extension asked before the deadline and decided after
    // it brought a cart back to life after the client's new cart had been allowed its 10 units.
    const productId = await createProduct(30);
    const client = "203.0.113.62";
    const first = await addToCart({ cartId: null, clientIp: client }, productId, 10);
    await backdateCart(first.cartId, -1_000); // its deadline a second from now

    // Another session holds the cart's row, so the extension, asked now, waits past the deadline.
    const blocker = await pg().reserve();
    try {
      await blocker`begin`;
      await blocker`select 1 from carts where id = ${first.cartId} for update`;
      const [{ pid } = { pid: 0 }] = await blocker<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const extension = outcome(extendHold(first.cartId));
      await blockedBy(pid, "the extension to wait for the cart's row");
      await waitFor(() => deadlinesPassed([first.cartId]), { timeout: 10_000, what: "the deadline" });
      // The client's next cart: its caps count the first one as ended, so it may hold 10.
      await addToCart({ cartId: null, clientIp: client }, productId, 10);
      await blocker`commit`;
      expect(await extension).toBe("cart_expired");
    } finally {
      blocker.release();
    }
    // No moment at which the client holds more than its 10 in live carts.
    const [held] = await pg()<{ units: number }[]>`
      select coalesce(sum(r.quantity), 0)::int as units from reservations r join carts c on c.id = r.cart_id
       where c.client_key = ${client} and c.state = 'active' and c.expires_at > now()`;
    expect(held?.units).toBe(10);
  });

  it("units handed from the line never bring back a cart the client's next cart counted as ended", async () => {
    // The same race through a hand-off: a release begun before the waiter's cart ran out, and
    // deciding after it, once put its offer into that cart and so kept the cart's old holds too.
    const client = "203.0.113.63";
    const waiter = { waiterId: crypto.randomUUID(), clientKey: client, cartId: null };
    const first = await createProduct(1);
    const holderOfFirst = await addToCart({ cartId: null, clientIp: "198.51.100.63" }, first, 1);
    await joinWaitlist(waiter, first, 1);
    await releaseCart(holderOfFirst.cartId, "operator", "early");
    const [offered] = await pg()<{ id: string }[]>`
      select id from carts where waiter_id = ${waiter.waiterId} and state = 'active'`;
    const waiterCart = offered?.id ?? "";
    await receiveStock(first, 10);
    const second = await createProduct(1);
    const holderOfSecond = await addToCart({ cartId: null, clientIp: "198.51.100.64" }, second, 1);
    await joinWaitlist(waiter, second, 1);
    await backdateCart(waiterCart, -1_000); // the waiter's cart (1 of the first product) ends in a second

    // Another session holds the second product's row: its release, asked now, waits past that.
    const blocker = await pg().reserve();
    try {
      await blocker`begin`;
      await blocker`select 1 from inventory where product_id = ${second} for update`;
      const [{ pid } = { pid: 0 }] = await blocker<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const release = releaseCart(holderOfSecond.cartId, "operator", "early");
      await blockedBy(pid, "the release to wait for the product's row");
      await waitFor(() => deadlinesPassed([waiterCart]), { timeout: 10_000, what: "the waiter's deadline" });
      // The client's next cart: the first cart has ended, so it may hold the first product's 10.
      await addToCart({ cartId: null, clientIp: client }, first, 10);
      await blocker`commit`;
      await release;
    } finally {
      blocker.release();
    }
    // The second product was offered to the waiter, in a cart of its own.
    const [held] = await pg()<{ first: number; second: number }[]>`
      select coalesce(sum(r.quantity) filter (where r.product_id = ${first}), 0)::int as first,
             coalesce(sum(r.quantity) filter (where r.product_id = ${second}), 0)::int as second
        from reservations r join carts c on c.id = r.cart_id
       where c.client_key = ${client} and c.state = 'active' and c.expires_at > now()`;
    expect(held).toEqual({ first: 10, second: 1 });
  });
});
