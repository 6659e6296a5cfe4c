import { describe, expect, it } from "vitest";
import { config } from "@/lib/base/config";
import { heldStreamSlots, takeStreamSlot } from "@/lib/streams/stream-slots";
import { codeOf } from "../support/error-code";

describe("stream slots", () => {
  it("gives a client MAX_STREAMS_PER_CLIENT streams, then rate_limited until one closes", () => {
    const releases = Array.from({ length: config().maxStreamsPerClient }, () => takeStreamSlot("203.0.113.7"));
    expect(codeOf(() => takeStreamSlot("203.0.113.7"))).toBe("rate_limited");
    const other = takeStreamSlot("198.51.100.2"); // another client is not affected
    releases[0]?.();
    releases[0]?.(); // twice gives back one slot, not two
    releases.push(takeStreamSlot("203.0.113.7"));
    expect(codeOf(() => takeStreamSlot("203.0.113.7"))).toBe("rate_limited");
    for (const release of [...releases, other]) release();
    expect(heldStreamSlots()).toBe(0);
  });

  it("gives the process MAX_STREAMS streams in all, then service_unavailable", () => {
    const releases = Array.from({ length: config().maxStreams }, (_, i) => takeStreamSlot(`client-${i}`));
    expect(codeOf(() => takeStreamSlot("someone-new"))).toBe("service_unavailable");
    for (const release of releases) release();
    expect(codeOf(() => takeStreamSlot("someone-new")?.())).toBeNull();
    expect(heldStreamSlots()).toBe(0);
  });
});
