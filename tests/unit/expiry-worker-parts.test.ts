import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Released } from "@/lib/hold/release";
import { cartKeys } from "@/lib/redis/keys";
import { startHeartbeat } from "@/worker/heartbeat";
import { releasePump } from "@/worker/release-pump";
import { nextSweepInMs } from "@/worker/sweeper";

describe("the sweeper's sleep", () => {
  it("wakes just after the next deadline, at the next drop, and never later than one interval", () => {
    expect(nextSweepInMs(null, null, 1_000)).toBe(1_000); // nothing live: the interval
    expect(nextSweepInMs(300, null, 1_000)).toBe(550); // the deadline, plus the event's grace
    expect(nextSweepInMs(5_000, null, 1_000)).toBe(1_000); // invariant 4: at most the interval
    expect(nextSweepInMs(null, 400, 1_000)).toBe(400); // a drop's release
    expect(nextSweepInMs(null, -50, 1_000)).toBe(100); // a drop still due is retried, not spun on
    expect(nextSweepInMs(-2_000, null, 1_000)).toBe(25); // overdue already: soon, but not at once
  });
});

describe("the release pump (expiry events)", () => {
  const pending = () => {
    const started: string[] = [];
    const finish = new Map<string, () => void>();
    const release = (cartId: string) =>
      new Promise<Released | null>((resolve) => {
        started.push(cartId);
        finish.set(cartId, () => resolve(null));
      });
    return { started, finish, release };
  };

  it("releases each expired cart once, at most maxConcurrent at a time, the rest in arrival order", async () => {
    const { started, finish, release } = pending();
    const tracked: Promise<unknown>[] = [];
    const onExpired = releasePump({ maxConcurrent: 2, stopped: () => false, track: (w) => tracked.push(w), release });
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of [a, b, a, c]) onExpired(cartKeys(id).session); // `a` twice: Redis may send it again
    onExpired(cartKeys(a).lines); // not a session key: no cart's hold ended
    expect(started).toEqual([a, b]);
    finish.get(a)!();
    await tracked[0];
    expect(started).toEqual([a, b, c]);
  });

  it("starts nothing once the worker is stopping", () => {
    const { started, release } = pending();
    const onExpired = releasePump({ maxConcurrent: 2, stopped: () => true, track: () => {}, release });
    onExpired(cartKeys(randomUUID()).session);
    expect(started).toEqual([]);
  });
});

describe("the worker's heartbeat", () => {
  it("stamps at once and again every interval, and a failed stamp does not stop it", async () => {
    const stamps: string[] = [];
    let fail = true;
    const record = async (id: string) => {
      stamps.push(id);
      if (fail) throw new Error("database down");
    };
    const beat = startHeartbeat("w1", record, 20);
    await beat.first; // failed, logged, not thrown
    fail = false;
    await expect.poll(() => stamps.length, { timeout: 2_000 }).toBeGreaterThanOrEqual(3);
    beat.stop();
    const after = stamps.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(stamps.length).toBe(after);
  });
});
