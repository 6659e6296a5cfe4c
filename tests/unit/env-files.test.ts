import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadEnvFiles } from "@/lib/env-files";

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
});
