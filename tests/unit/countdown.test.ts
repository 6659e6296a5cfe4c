import { describe, expect, it } from "vitest";
import { formatRemaining, spokenRemaining } from "@/components/cart/countdown-format";

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
});
