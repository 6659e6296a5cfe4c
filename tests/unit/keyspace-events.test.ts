import { describe, expect, it } from "vitest";
import { withExpiredEvents } from "@/worker/keyspace-events";

describe("keyspace event flags", () => {
  it("adds E and x to whatever is set, and never removes a flag", () => {
    expect(withExpiredEvents("")).toBe("Ex");
    expect(withExpiredEvents("Ex")).toBe("Ex");
    expect(withExpiredEvents("Kg")).toBe("KgEx");
    expect(withExpiredEvents("AKE")).toBe("AKE"); // A already includes x
  });
});
