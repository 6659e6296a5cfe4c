import { describe, expect, it } from "vitest";
import { Coalescer, type Outcome } from "@/lib/hold/coalescer";
import { ShopError } from "@/lib/base/shop-error";

/** A batch runner that records each batch and answers each request with itself, after a tick. */
function recorder(options: { maxBatch?: number; maxQueue?: number } = {}) {
  const batches: string[][] = [];
  const coalescer = new Coalescer<string, string, string>(
    async (_key, requests) => {
      batches.push([...requests]);
      await new Promise((r) => setTimeout(r, 5));
      return requests.map((r): Outcome<string> =>
        r.startsWith("bad") ? { ok: false, error: new Error(r) } : { ok: true, value: r },
      );
    },
    { maxBatch: options.maxBatch ?? 100, maxQueue: options.maxQueue ?? 100, conflictKey: (r) => r.split(":")[0] },
  );
  return { batches, coalescer };
}

describe("coalescing requests on a hot key", () => {
  it("runs a lone request at once, and everything that arrived meanwhile in one batch, in arrival order", async () => {
    const { batches, coalescer } = recorder();
    const answers = await Promise.all(["a:1", "b:1", "c:1", "d:1"].map((r) => coalescer.submit("hot", r)));
    expect(answers).toEqual(["a:1", "b:1", "c:1", "d:1"]);
    expect(batches).toEqual([["a:1"], ["b:1", "c:1", "d:1"]]);
  });

  it("ends a batch before a second request of one cart, so nothing is decided before what arrived earlier", async () => {
    const { batches, coalescer } = recorder();
    await Promise.all(["x:0", "a:1", "b:1", "a:2", "c:1", "a:3"].map((r) => coalescer.submit("hot", r)));
    expect(batches).toEqual([["x:0"], ["a:1", "b:1"], ["a:2", "c:1"], ["a:3"]]);
  });

  it("ends a batch before a group too many (each group costs the batch a lock)", async () => {
    const batches: string[][] = [];
    const coalescer = new Coalescer<string, string, string>(
      async (_key, requests) => {
        batches.push([...requests]);
        await new Promise((r) => setTimeout(r, 5));
        return requests.map((value) => ({ ok: true, value }));
      },
      { maxBatch: 100, maxQueue: 100, groups: { key: (r) => r.split(":")[0] ?? r, max: 2 } },
    );
    await Promise.all(["x:0", "a:1", "b:1", "a:2", "c:1", "c:2"].map((r) => coalescer.submit("hot", r)));
    expect(batches).toEqual([["x:0"], ["a:1", "b:1", "a:2"], ["c:1", "c:2"]]);
  });

  it("answers each request with its own outcome, and a failed batch fails each of its requests", async () => {
    const { coalescer } = recorder();
    const settled = await Promise.allSettled(["a:1", "bad:1", "c:1"].map((r) => coalescer.submit("hot", r)));
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);

    const broken = new Coalescer<string, string, string>(
      async () => {
        throw new Error("connection lost");
      },
      { maxBatch: 10, maxQueue: 10 },
    );
    const failed = await Promise.allSettled(["a", "b"].map((r) => broken.submit("hot", r)));
    expect(failed.map((f) => (f.status === "rejected" ? (f.reason as Error).message : "?"))).toEqual([
      "connection lost",
      "connection lost",
    ]);
  });

  it("bounds the wait: past maxQueue a request is refused at once with service_unavailable", async () => {
    const { coalescer } = recorder({ maxQueue: 3 });
    const first = coalescer.submit("hot", "a:0"); // in flight
    const queued = ["b:1", "c:1", "d:1"].map((r) => coalescer.submit("hot", r));
    const refused = await coalescer.submit("hot", "e:1").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ShopError);
    expect((refused as ShopError).code).toBe("service_unavailable");
    expect(await Promise.all([first, ...queued])).toEqual(["a:0", "b:1", "c:1", "d:1"]);
  });

  it("batches at most maxBatch requests, and keys do not wait for each other", async () => {
    const { batches, coalescer } = recorder({ maxBatch: 2 });
    await Promise.all([
      ...["a:1", "b:1", "c:1", "d:1", "e:1"].map((r) => coalescer.submit("hot", r)),
      coalescer.submit("other", "z:1"),
    ]);
    expect(batches).toEqual([["a:1"], ["z:1"], ["b:1", "c:1"], ["d:1", "e:1"]]);
  });
});
