import { describe, expect, it } from "vitest";
import { formatRemaining, remainingAt, spokenRemaining } from "@/components/cart/countdown-format";

describe("the hold's countdown", () => {
  it("shows m:ss, never negative", () => {
    expect(formatRemaining(14 * 60_000 + 32_000)).toBe("14:32");
    expect(formatRemaining(59_001)).toBe("1:00");
    expect(formatRemaining(-5)).toBe("0:00");
  });

  it("rounds up to the whole second, so it reads 0:00 only once the time is up", () => {
    expect(formatRemaining(1)).toBe("0:01");
    expect(formatRemaining(0)).toBe("0:00");
    expect(formatRemaining(60_000)).toBe("1:00");
    expect(formatRemaining(9 * 60_000 + 5_000)).toBe("9:05");
  });

  it("reads out minutes and seconds in words for screen readers, the same seconds as shown", () => {
    expect(spokenRemaining(14 * 60_000 + 32_000)).toBe("14 minutes 32 seconds");
    expect(spokenRemaining(60_000 + 5_000)).toBe("1 minute 5 seconds");
    expect(spokenRemaining(45_000)).toBe("45 seconds");
    expect(spokenRemaining(-1)).toBe("0 seconds");
    expect(spokenRemaining(1_000)).toBe("1 second");
    expect(spokenRemaining(60_000 + 1_000)).toBe("1 minute 1 second");
  });

  it("never shows more than the server's time left: a 90 s hold read on a tick older than the hold shows 1:30", () => {
    // The hold was laid down at 1_000 (deadline 91_000); the page's last tick was at 800.
    expect(formatRemaining(remainingAt(91_000, 90_000, 800))).toBe("1:30");
    expect(remainingAt(91_000, 90_000, 31_000)).toBe(60_000);
    expect(remainingAt(91_000, 90_000, 95_000)).toBe(0);
    // Before the first tick (the server's render): the time the server read.
    expect(remainingAt(91_000, 90_000, null)).toBe(90_000);
  });
});
