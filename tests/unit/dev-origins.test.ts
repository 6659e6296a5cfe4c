import { createRequire } from "node:module";
import { networkInterfaces } from "node:os";
import { describe, expect, it } from "vitest";
import nextConfig from "../../next.config";

// Next's own check of `next dev`'s resources (scripts, the live-reload connection), as the dev
// server runs it for every request: a page opened at another address than `localhost` that is
// refused these never becomes interactive.
type Block = (
  req: { url: string; headers: Record<string, string> },
  res: { statusCode?: number; end: (body?: string) => void },
  allowedDevOrigins: string[] | undefined,
  hostname: string | undefined,
) => boolean;
const { blockCrossSiteDEV } = createRequire(import.meta.url)(
  "next/dist/server/lib/router-utils/block-cross-site-dev.js",
) as { blockCrossSiteDEV: Block };

const devScriptFrom = (origin: string) =>
  blockCrossSiteDEV(
    { url: "/_next/static/chunks/main.js", headers: { origin } },
    { end: () => {} },
    nextConfig.allowedDevOrigins,
    undefined, // `npm run dev` names no hostname: Next assumes localhost
  );

describe("npm run dev answers a page opened at any address of this machine", () => {
  it("serves its scripts to pages at 127.0.0.1 (Next allows only localhost by itself)", () => {
    expect(devScriptFrom("http://127.0.0.1:3000")).toBe(false);
  });

  it("serves them to the network addresses it prints, and refuses other sites", () => {
    const addresses = Object.values(networkInterfaces())
      .flat()
      .flatMap((a) => (a && a.family === "IPv4" ? [a.address] : []));
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(devScriptFrom(`http://${address}:3000`), address).toBe(false);
    expect(devScriptFrom("http://evil.example")).toBe(true);
  });
});
