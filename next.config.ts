import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The domain layer talks to Redis and Postgres over native Node sockets; keep those
  // packages out of the server bundle so they load exactly as in the worker.
  serverExternalPackages: ["ioredis", "postgres"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
