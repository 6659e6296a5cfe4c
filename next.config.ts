import { networkInterfaces } from "node:os";
import type { NextConfig } from "next";
import { MAX_ACTION_BODY_BYTES } from "./lib/http/action-request";

/**
 * `next dev` serves its scripts and its live connection only to pages opened at `localhost`
 * unless told otherwise: a page opened at 127.0.0.1 or at the "Network:" address it prints never
 * becomes interactive. Every address of this machine is this machine; other names a developer
 * uses go in DEV_ORIGINS (comma-separated host names). Production ignores this.
 */
function devOrigins(): string[] {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .flatMap((a) => (a ? [a.family === "IPv6" ? `[${a.address}]` : a.address] : []));
  const named = (process.env.DEV_ORIGINS ?? "").split(",").map((h) => h.trim());
  return [...new Set(["127.0.0.1", "localhost", ...addresses, ...named])].filter(Boolean);
}

const nextConfig: NextConfig = {
  // The domain layer talks to Redis and Postgres over native Node sockets; keep those
  // packages out of the server bundle so they load exactly as in the worker.
  serverExternalPackages: ["ioredis", "postgres", "prom-client"],
  poweredByHeader: false,
  // Answers are small JSON and HTML made for one request; compressing them cost more CPU than it
  // saved bytes. A proxy in front (which production has) compresses where it pays. The shared
  // renders of the catalog and product pages are compressed once each (lib/base/content-encoding.ts).
  compress: false,
  typedRoutes: false,
  allowedDevOrigins: devOrigins(),
  experimental: {
    serverActions: {
      // proxy.ts refuses a larger body with a 413 before Next reads it (Next answers 500);
      // both read this one figure. No allowedOrigins: proxy.ts and Next both require the
      // action's Origin to be this host, the rule route handlers follow (lib/http/same-origin.ts).
      bodySizeLimit: MAX_ACTION_BODY_BYTES,
    },
  },
};

export default nextConfig;
