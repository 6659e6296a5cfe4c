import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseConfig } from "@/lib/base/config";
import { loadEnvFiles } from "@/lib/base/env-files";

describe("every command reads .env as Next does", () => {
  const keys = ["HOLDCART_TEST_FROM_ENV_FILE", "HOLDCART_TEST_ALREADY_SET"];
  afterEach(() => keys.forEach((k) => delete process.env[k]));

  it("fills in what the file says, and what the environment already set wins", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "holdcart-env-"));
    writeFileSync(path.join(dir, ".env"), "HOLDCART_TEST_FROM_ENV_FILE=3100\nHOLDCART_TEST_ALREADY_SET=from-file\n");
    process.env.HOLDCART_TEST_ALREADY_SET = "from-shell";
    loadEnvFiles(dir);
    expect(process.env.HOLDCART_TEST_FROM_ENV_FILE).toBe("3100");
    expect(process.env.HOLDCART_TEST_ALREADY_SET).toBe("from-shell");
  });

  it("`cp .env.example .env` changes nothing that development relies on: the documented dev token still signs in", () => {
    const example = readFileSync(path.join(import.meta.dirname, "../../.env.example"), "utf8");
    const set = Object.fromEntries(
      example
        .split("\n")
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    expect(Object.keys(set)).not.toContain("ADMIN_TOKEN");
    expect(Object.keys(set)).not.toContain("SESSION_SECRET");
    const dev = parseConfig({ ...set, NODE_ENV: "development" });
    expect(dev.adminToken).toBe("dev-admin-token");
  });
});
