import { describe, expect, it } from "vitest";
import { formatCents } from "@/lib/base/money";
import { orderNumber } from "@/lib/checkout/orders";

describe("how prices and order numbers read", () => {
  it("shows cents as US dollars", () => {
    expect(formatCents(1800)).toBe("$18.00");
    expect(formatCents(5)).toBe("$0.05");
    expect(formatCents(123_456)).toBe("$1,234.56");
    expect(formatCents(0)).toBe("$0.00");
  });

  it("gives an order the first 8 hex digits of its id, in capitals, to quote", () => {
    expect(orderNumber("3f2a9c1b-0d4e-4b7a-9c1d-2e3f4a5b6c7d")).toBe("3F2A9C1B");
  });
});
