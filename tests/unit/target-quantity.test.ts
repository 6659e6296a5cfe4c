import { describe, expect, it } from "vitest";
import { targetQuantity } from "@/lib/hold/line-change";

const change = (mode: "add" | "set" | "giveBack" | "undo", quantity: number) => ({ productId: 1, mode, quantity });

describe("what a cart line holds after a change", () => {
  it("an add holds that many more; a set holds exactly that many", () => {
    expect(targetQuantity(2, change("add", 3))).toBe(5);
    expect(targetQuantity(4, change("set", 1))).toBe(1);
    expect(targetQuantity(4, change("set", 0))).toBe(0);
  });

  it("an add of no units or fewer is a bug, not a silent give-back", () => {
    expect(() => targetQuantity(2, change("add", 0))).toThrow(/giveBack or undo/);
    expect(() => targetQuantity(2, change("add", -1))).toThrow(/giveBack or undo/);
  });

  it("declining an offer gives back its units, or all the line holds when it holds fewer", () => {
    expect(targetQuantity(5, change("giveBack", 2))).toBe(3);
    expect(targetQuantity(1, change("giveBack", 2))).toBe(0);
  });

  it("an undo reverts exactly its own change and leaves a later one be", () => {
    expect(targetQuantity(5, change("undo", 2))).toBe(3); // undoing +2
    expect(targetQuantity(1, change("undo", -2))).toBe(3); // undoing -2
    expect(targetQuantity(1, change("undo", 2))).toBe(0); // another tab already gave one back
  });
});
