import { describe, expect, it } from "vitest";
import { compareCart, ledgerDrift, REBUILT, type LedgerCart, type LedgerRow } from "@/lib/hold/drift";

const sound: LedgerRow = { productId: 1, slug: "tote", onHand: 10, available: 6, reserved: 3, sold: 1, held: 3 };

describe("the ledger check (invariants 1 and 2)", () => {
  it("finds nothing wrong with a product whose counters add up and match its holds", () => {
    expect(ledgerDrift([sound, { ...sound, productId: 2, slug: "mug" }])).toEqual([]);
  });

  it("reports a product whose counters no longer add up to what was received, with the numbers", () => {
    const [drift] = ledgerDrift([{ ...sound, available: 9 }]);
    expect(drift).toMatchObject({ productId: 1, slug: "tote", available: 9, onHand: 10 });
    expect(drift?.problems).toEqual(["not conserved: available 9 + reserved 3 + sold 1 ≠ on hand 10"]);
  });

  it("reports a negative counter even when the sum is right", () => {
    const [drift] = ledgerDrift([{ ...sound, available: -1, sold: 8 }]);
    expect(drift?.problems).toEqual(["negative: available -1"]);
  });

  it("reports units counted as in carts that no active cart holds", () => {
    const [drift] = ledgerDrift([{ ...sound, held: 2 }]);
    expect(drift?.problems).toEqual(["reserved 3 but active carts hold 2"]);
  });
});

const cart: LedgerCart = {
  cartId: "0b7d6d8e-3f7a-4e0c-9d3f-5f3e2c1a9b8d",
  version: 3,
  expiresAtMs: 1_800_000_000_000.25,
  extensionsUsed: 1,
  lines: [
    { productId: 4, quantity: 2 },
    { productId: 9, quantity: 1 },
  ],
};
const cached = (over: Partial<Parameters<typeof compareCart>[1]> = {}) => ({
  session: "3:1800000000000.25:1",
  pttlMs: 60_000,
  flatLines: ["9", "1", "4", "2"],
  ended: false,
  ...over,
});

describe("Redis against the ledger, for a live cart", () => {
  it("agrees when Redis has the ledger's version, deadline and lines (in any order)", () => {
    expect(compareCart(cart, cached())).toBe("agrees");
  });

  it("wants a rebuild when the keys are gone, older, or say other lines or another deadline", () => {
    expect(compareCart(cart, cached({ session: null, pttlMs: -2, flatLines: [] }))).toBe("missing");
    expect(compareCart(cart, cached({ session: "2:1800000000000.25:1" }))).toBe("stale");
    expect(compareCart(cart, cached({ flatLines: ["9", "1", "4", "5"] }))).toBe("lines_differ");
    expect(compareCart(cart, cached({ flatLines: ["4", "2"] }))).toBe("lines_differ");
    expect(compareCart(cart, cached({ flatLines: ["9", "1", "4", "2", "7", "1"] }))).toBe("lines_differ");
    expect(compareCart(cart, cached({ session: "3:1700000000000:1" }))).toBe("deadline_differs");
    expect(compareCart(cart, cached({ session: "garbage" }))).toBe("lines_differ");
    for (const v of ["missing", "stale", "lines_differ", "deadline_differs"] as const)
      expect(REBUILT.has(v)).toBe(true);
  });

  it("leaves alone a newer version (a change landed after the ledger was read) and a tombstone", () => {
    expect(compareCart(cart, cached({ session: "4:1800000000000.25:1", flatLines: [] }))).toBe("newer");
    expect(compareCart(cart, cached({ ended: true }))).toBe("ended");
    expect(REBUILT.has("newer")).toBe(false);
    expect(REBUILT.has("ended")).toBe(false);
  });
});
