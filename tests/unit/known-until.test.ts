import { afterEach, describe, expect, it, vi } from "vitest";
import { KnownUntil } from "@/lib/hold/known-until";

// What the door and the routes trust of a product (sold out, a drop not yet open) lasts until its
// moment and not a millisecond more: after it the request asks the database again.
describe("facts known for a while (lib/hold/known-until.ts)", () => {
  afterEach(() => vi.useRealTimers());

  it("a fact is read while it lasts, then gone, and `any` says whether one still lasts", () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    const known = new KnownUntil<{ reserved: number }>();
    expect(known.any()).toBe(false);
    known.set(7, performance.now() + 1_000, { reserved: 3 });
    known.set(8, performance.now() + 200, { reserved: 1 });
    expect(known.any()).toBe(true);
    expect(known.get(7)).toEqual({ reserved: 3 });

    vi.advanceTimersByTime(500);
    expect(known.get(8)).toBeNull(); // past its moment
    expect(known.get(7)).toEqual({ reserved: 3 });
    known.delete(7);
    expect(known.get(7)).toBeNull();
    expect(known.any()).toBe(false);
  });

  it("facts past their moment do not count as known, and are dropped when looked at", () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    const facts = new Map<number, { end: number; value: number }>();
    const known = new KnownUntil<number>(facts);
    known.set(1, performance.now() + 100, 1_800_000_000_000);
    vi.advanceTimersByTime(100);
    expect(known.any()).toBe(false);
    expect(facts.size).toBe(0);
  });
});
