import { describe, expect, it } from "vitest";
import { formatRemaining } from "@/components/cart/countdown-format";
import { withLine } from "@/components/cart/optimistic";
import { EMPTY_CART } from "@/lib/cart/cart-types";
import { cartIdOfSessionKey, cartKeys } from "@/lib/redis/keys";
import { withExpiredEvents } from "@/worker/keyspace-events";

describe("keyspace event flags", () => {
  it("adds E and x to whatever is set, and never removes a flag", () => {
    expect(withExpiredEvents("")).toBe("Ex");
    expect(withExpiredEvents("Ex")).toBe("Ex");
    expect(withExpiredEvents("Kg")).toBe("KgEx");
    expect(withExpiredEvents("AKE")).toBe("AKE"); // A already includes x
  });
});

describe("Redis keys", () => {
  it("share the {cartId} hash tag and map a session key back to its cart", () => {
    const id = "0b7d6d8e-3f7a-4e0c-9d3f-5f3e2c1a9b8d";
    const keys = cartKeys(id);
    for (const key of Object.values(keys)) expect(key).toContain(`{${id}}`);
    expect(cartIdOfSessionKey(keys.session)).toBe(id);
    expect(cartIdOfSessionKey(keys.lines)).toBeNull();
    expect(cartIdOfSessionKey("session")).toBeNull();
  });
});

describe("countdown and optimistic cart", () => {
  it("shows m:ss, never negative", () => {
    expect(formatRemaining(14 * 60_000 + 32_000)).toBe("14:32");
    expect(formatRemaining(59_001)).toBe("1:00");
    expect(formatRemaining(-5)).toBe("0:00");
  });

  it("adds, changes and removes a line, keeping the subtotal right", () => {
    const empty = EMPTY_CART;
    const mug = { id: 1, slug: "mug", name: "Mug", imageUrl: "/m.svg", priceCents: 1800 };
    const one = withLine(empty, mug, (q) => q + 1);
    expect(one.items).toHaveLength(1);
    expect(one.subtotalCents).toBe(1800);
    expect(withLine(one, mug, (q) => q + 2).subtotalCents).toBe(5400);
    expect(withLine(one, mug, () => 0).items).toEqual([]);
  });
});
