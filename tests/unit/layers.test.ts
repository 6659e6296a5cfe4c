import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LAYERS, layerZones } from "@/lib/layers.mjs";

const LIB = path.join(__dirname, "../../lib");
const rooms = readdirSync(LIB).filter((name) => statSync(path.join(LIB, name)).isDirectory());

describe("lib/ in layers", () => {
  it("places every room of lib/ in the layer order, and keeps no module outside a room", () => {
    expect([...rooms].sort()).toEqual(LAYERS.flat().sort());
    const loose = readdirSync(LIB).filter((name) => !rooms.includes(name) && !name.startsWith("layers."));
    expect(loose).toEqual([]);
  });

  it("keeps each room from every room above it (the lint rule's zones)", () => {
    const zones = layerZones();
    const hold = zones.find((z) => z.target === "./lib/hold");
    expect(hold?.from).toContain("./lib/cart");
    expect(hold?.from).not.toContain("./lib/db");
    // The top room is kept from nothing; every other room has a zone.
    expect(zones.map((z) => z.target)).toEqual(
      LAYERS.flat()
        .slice(0, -1)
        .map((r) => `./lib/${r}`),
    );
  });

  it("has no import in lib/ that points up the order (what the lint rule enforces, read from the sources)", () => {
    const order = LAYERS.flat();
    const upward: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) walk(file);
        else if (/\.tsx?$/.test(name)) {
          const from = path.relative(LIB, file).split(path.sep)[0]!;
          for (const [, spec] of readFileSync(file, "utf8").matchAll(/from\s+"([^"]+)"/g)) {
            const target = spec!.startsWith("@/lib/")
              ? spec!.slice("@/lib/".length)
              : spec!.startsWith(".")
                ? path.relative(LIB, path.join(path.dirname(file), spec!))
                : null;
            if (target === null || target.startsWith("..")) continue;
            const to = target.split(path.sep)[0]!.split("/")[0]!;
            if (order.indexOf(to) > order.indexOf(from)) upward.push(`${path.relative(LIB, file)} -> ${spec}`);
          }
        }
      }
    };
    walk(LIB);
    expect(upward).toEqual([]);
  });
});
