import { describe, expect, it } from "vitest";
import { ordinal } from "@/components/cart/ordinal";

describe("a place in line, as the page says it", () => {
  it("reads 1st, 2nd, 3rd, 4th, and the teens all with th", () => {
    expect([1, 2, 3, 4].map(ordinal)).toEqual(["1st", "2nd", "3rd", "4th"]);
    expect([11, 12, 13].map(ordinal)).toEqual(["11th", "12th", "13th"]);
    expect([21, 22, 23, 101, 111].map(ordinal)).toEqual(["21st", "22nd", "23rd", "101st", "111th"]);
  });
});
