import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { COALESCE_MS, FANOUT_SPACING, KEEPALIVE_MS, StockHub, type StockWatcher } from "@/lib/inventory/stock-hub";

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
    expect(a.lists()).toEqual([[{ productId: 1, available: 4 }]]);
    expect(b.received[0]).toBe(a.received[0]); // serialised and encoded once
    expect(other.received).toEqual([]);
    expect(decoder.decode(a.received[0])).toBe('data: [{"productId":1,"available":4}]\n\n');
  });

  it("coalesces a hot product: the first change at once, then its latest value every 250 ms", () => {
    const hub = new StockHub();
    const shopper = page();
    hub.watch([1], shopper);
    for (let available = 100; available > 90; available -= 1) hub.publish([{ productId: 1, available }]);
    expect(shopper.lists()).toEqual([[{ productId: 1, available: 100 }]]);
    vi.advanceTimersByTime(COALESCE_MS - 1);
    expect(shopper.lists()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(shopper.lists()).toEqual([[{ productId: 1, available: 100 }], [{ productId: 1, available: 91 }]]);
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
    expect(shopper.lists()).toEqual([[{ productId: 1, available: 10 }], [{ productId: 1, available: 9 }]]);
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
    expect(shopper.lists()).toEqual([[{ productId: 1, available: 3 }]]);
  });
});
