import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { StockChange } from "@/lib/hold/stock-change";
import {
  COALESCE_MS,
  FANOUT_SPACING,
  KEEPALIVE_MS,
  READ_TIMEOUT_MS,
  StockHub,
  type StockWatcher,
} from "@/lib/streams/stock-hub";

const decoder = new TextDecoder();

/** A stream as the hub sees it, keeping what it was sent. */
function page(): StockWatcher & { received: Uint8Array[]; lists: () => unknown[] } {
  const received: Uint8Array[] = [];
  return {
    received,
    deliver: (bytes) => received.push(bytes),
    lists: () =>
      received
        .map((b) => decoder.decode(b))
        .filter((text) => text.startsWith("data: "))
        .map((text) => JSON.parse(text.slice(6))),
  };
}

/** A message as a stream sends it, for a product nobody holds. */
const stock = (productId: number, available: number, held: Partial<StockChange> = {}): StockChange => ({
  productId,
  variantId: productId,
  available,
  reserved: 0,
  waiting: 0,
  nextReleaseAt: null,
  nextReleaseInMs: null,
  releaseAt: null,
  releaseInMs: null,
  ...held,
});

/** The ledger as the hub reads it: answers when the test says so, and counts the reads. */
function ledger() {
  const answers: { productIds: readonly number[]; answer: (rows: StockChange[] | Error) => void }[] = [];
  const read = (productIds: readonly number[]) =>
    new Promise<StockChange[]>((resolve, reject) => {
      answers.push({ productIds, answer: (rows) => (rows instanceof Error ? reject(rows) : resolve(rows)) });
    });
  return { read, answers };
}

/** Lets the hub's promise callbacks run (fake timers leave microtasks alone). */
const settle = () => new Promise((r) => setImmediate(r));

describe("stock hub", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "performance"] });
  });
  afterEach(() => vi.useRealTimers());

  it("sends each change once, as the same bytes, to every page watching that product and to no other", () => {
    const hub = new StockHub();
    const [a, b, other] = [page(), page(), page()];
    hub.watch([1, 2], a);
    hub.watch([1], b);
    hub.watch([3], other);
    hub.publish([{ productId: 1, available: 4 }]);
    expect(a.lists()).toEqual([[stock(1, 4)]]);
    expect(b.received[0]).toBe(a.received[0]); // serialised and encoded once
    expect(other.received).toEqual([]);
    expect(decoder.decode(a.received[0])).toBe(
      'data: [{"productId":1,"variantId":1,"available":4,"reserved":0,"waiting":0,"nextReleaseAt":null,"nextReleaseInMs":null,"releaseAt":null,"releaseInMs":null}]\n\n',
    );
  });

  it("coalesces a hot product: the first change at once, then its latest value every 250 ms", () => {
    const hub = new StockHub();
    const shopper = page();
    hub.watch([1], shopper);
    for (let available = 100; available > 90; available -= 1) hub.publish([{ productId: 1, available }]);
    expect(shopper.lists()).toEqual([[stock(1, 100)]]);
    vi.advanceTimersByTime(COALESCE_MS - 1);
    expect(shopper.lists()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(shopper.lists()).toEqual([[stock(1, 100)], [stock(1, 91)]]);
    vi.advanceTimersByTime(10 * COALESCE_MS); // nothing new: nothing sent
    expect(shopper.lists()).toHaveLength(2);
    hub.publish([{ productId: 1, available: 90 }]); // quiet for long enough: at once again
    expect(shopper.lists()).toHaveLength(3);
  });

  it("spaces a product's messages further apart when its fan-out is slow (thousands of pages)", async () => {
    const hub = new StockHub();
    const shopper = page();
    const FANOUT_MS = 100;
    hub.watch([1], {
      deliver: () => vi.advanceTimersByTime(FANOUT_MS), // as if writing to every page took 100 ms
    });
    hub.watch([1], shopper);
    hub.publish([{ productId: 1, available: 10 }]);
    await new Promise((r) => setImmediate(r)); // the fan-out is measured once its writes are done
    hub.publish([{ productId: 1, available: 9 }]);
    vi.advanceTimersByTime(FANOUT_SPACING * FANOUT_MS - FANOUT_MS - 1);
    expect(shopper.lists()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(shopper.lists()).toEqual([[stock(1, 10)], [stock(1, 9)]]);
  });

  it("keeps no state for a product once its last page left, and stops sending to a page that left", () => {
    const hub = new StockHub();
    const shopper = page();
    const leave = hub.watch([1, 2], shopper);
    hub.publish([{ productId: 1, available: 5 }]);
    hub.publish([{ productId: 1, available: 4 }]); // waits for the trailing edge
    expect(hub.size).toBe(1);
    leave();
    leave();
    expect(hub.size).toBe(0);
    expect(hub.watchedProducts).toBe(0);
    expect(vi.getTimerCount()).toBe(0); // the trailing edge and the keepalive are gone
    vi.advanceTimersByTime(KEEPALIVE_MS * 2);
    expect(shopper.lists()).toHaveLength(1);
  });

  it("sends idle pages a keepalive comment", () => {
    const hub = new StockHub();
    const shopper = page();
    hub.watch([1], shopper);
    vi.advanceTimersByTime(KEEPALIVE_MS);
    expect(decoder.decode(shopper.received[0])).toBe(": keepalive\n\n");
  });

  it("one page that fails does not keep a change from the others", () => {
    const hub = new StockHub();
    const shopper = page();
    vi.spyOn(console, "error").mockImplementation(() => {});
    hub.watch([1], {
      deliver: () => {
        throw new Error("closed");
      },
    });
    hub.watch([1], shopper);
    hub.publish([{ productId: 1, available: 3 }]);
    expect(shopper.lists()).toEqual([[stock(1, 3)]]);
  });

  describe("reading the ledger at send time", () => {
    const HELD = { reserved: 1, nextReleaseAt: "2026-11-26T15:04:00.000Z", nextReleaseInMs: 240_000 };

    it("sends what the ledger says, not what the publisher knew, reading only watched products", async () => {
      const { read, answers } = ledger();
      const hub = new StockHub({ read });
      const shopper = page();
      hub.watch([1], shopper);
      hub.publish([
        { productId: 1, available: 3 }, // a late message from another publisher
        { productId: 2, available: 9 }, // nobody watches product 2
      ]);
      expect(answers.map((a) => a.productIds)).toEqual([[1]]);
      answers[0]?.answer([stock(1, 0, HELD)]);
      await settle();
      expect(shopper.lists()).toEqual([[stock(1, 0, HELD)]]);
    });

    it("keeps a product's messages in order: changes during a read wait for it, then go out at the trailing edge", async () => {
      const { read, answers } = ledger();
      const hub = new StockHub({ read });
      const shopper = page();
      hub.watch([1], shopper);
      hub.publish([{ productId: 1, available: 1 }]);
      hub.publish([{ productId: 1, available: 0 }]); // arrives while the first read is in flight
      expect(answers).toHaveLength(1); // one read at a time per product
      answers[0]?.answer([stock(1, 1)]);
      await settle();
      expect(shopper.lists()).toEqual([[stock(1, 1)]]);
      vi.advanceTimersByTime(COALESCE_MS);
      expect(answers).toHaveLength(2);
      answers[1]?.answer([stock(1, 0, HELD)]);
      await settle();
      expect(shopper.lists()).toEqual([[stock(1, 1)], [stock(1, 0, HELD)]]);
    });

    it("a failing read sends the published values, completed from the last message", async () => {
      const { read, answers } = ledger();
      const hub = new StockHub({ read });
      const shopper = page();
      vi.spyOn(console, "error").mockImplementation(() => {});
      hub.watch([1], shopper);
      hub.publish([{ productId: 1, available: 0 }]);
      answers[0]?.answer([stock(1, 0, HELD)]);
      await settle();
      vi.advanceTimersByTime(1_000);
      hub.publish([{ productId: 1, available: 2 }]);
      answers[1]?.answer(new Error("connection terminated"));
      await settle();
      expect(shopper.lists()).toEqual([
        [stock(1, 0, HELD)],
        [stock(1, 2, { ...HELD, nextReleaseInMs: HELD.nextReleaseInMs - 1_000 })],
      ]);
    });

    it("a read that never answers is given up after READ_TIMEOUT_MS for the published values", async () => {
      const hub = new StockHub({ read: () => new Promise<StockChange[]>(() => {}) });
      const shopper = page();
      vi.spyOn(console, "error").mockImplementation(() => {});
      hub.watch([1], shopper);
      hub.publish([{ productId: 1, available: 4 }]);
      vi.advanceTimersByTime(READ_TIMEOUT_MS);
      await settle();
      expect(shopper.lists()).toEqual([[stock(1, 4)]]);
    });

    it("sends nothing, and keeps nothing, for a product whose last page left during the read", async () => {
      const { read, answers } = ledger();
      const hub = new StockHub({ read });
      const shopper = page();
      const leave = hub.watch([1], shopper);
      hub.publish([{ productId: 1, available: 1 }]);
      hub.publish([{ productId: 1, available: 0 }]);
      leave();
      answers[0]?.answer([stock(1, 1)]);
      await settle();
      vi.advanceTimersByTime(10 * COALESCE_MS);
      await settle();
      expect(shopper.lists()).toEqual([]);
      expect(answers).toHaveLength(1);
      expect(hub.watchedProducts).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    });
  });
});
