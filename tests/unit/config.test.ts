import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "@/lib/base/config";

describe("configuration", () => {
  it("gives docs/design.md's defaults on an empty environment (outside production)", () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ cartTtlSeconds: 900, sweepIntervalMs: 1000, newCartsPerIpPerMinute: 30, port: 3000 });
    expect(c.databaseUrl).toMatch(/^postgres:\/\//);
    expect(c.redisUrl).toMatch(/^redis:\/\//);
  });

  it("reports every bad value, one line each", () => {
    const error = (() => {
      try {
        parseConfig({ CART_TTL_SECONDS: "soon", SWEEP_INTERVAL_MS: "-5", REDIS_URL: "http://x", MAX_LINES: "2.5" });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join("\n")).toMatch(/CART_TTL_SECONDS/);
    expect(problems.join("\n")).toMatch(/SWEEP_INTERVAL_MS must be at least 50/);
    expect(problems.join("\n")).toMatch(/REDIS_URL must be a redis:\/\/ URL/);
    expect(problems.join("\n")).toMatch(/MAX_LINES must be a whole number/);
  });

  it("refuses CART_TTL_SECONDS=2200000 at start in one clear line, rather than failing every add", () => {
    const problems = (() => {
      try {
        parseConfig({ CART_TTL_SECONDS: "2200000" });
      } catch (e) {
        return (e as ConfigError).problems;
      }
      return [];
    })();
    expect(problems).toEqual(["CART_TTL_SECONDS must be at most 604800"]);
    expect(parseConfig({ CART_TTL_SECONDS: "604800" }).cartTtlSeconds).toBe(604_800);
  });

  it("requires a real session secret and admin token in production", () => {
    expect(() => parseConfig({ NODE_ENV: "production" })).toThrow(
      /SESSION_SECRET is required in production[\s\S]*ADMIN_TOKEN is required/,
    );
    expect(() => parseConfig({ NODE_ENV: "production", SESSION_SECRET: "short", ADMIN_TOKEN: "x".repeat(32) })).toThrow(
      /SESSION_SECRET must be at least 32 characters/,
    );
    // A token short enough to guess is refused in production (20 characters: fine in development).
    expect(() =>
      parseConfig({ NODE_ENV: "production", SESSION_SECRET: "s".repeat(32), ADMIN_TOKEN: "x".repeat(20) }),
    ).toThrow(/ADMIN_TOKEN must be at least 32 characters in production/);
    expect(parseConfig({ SESSION_SECRET: "s".repeat(32), ADMIN_TOKEN: "x".repeat(20) }).adminToken).toBe(
      "x".repeat(20),
    );
  });

  it("reads a Redis Cluster node list, and refuses a malformed one", () => {
    expect(parseConfig({ REDIS_CLUSTER_NODES: "10.0.0.1:7000,redis-b:7001" }).redisClusterNodes).toEqual([
      { host: "10.0.0.1", port: 7000 },
      { host: "redis-b", port: 7001 },
    ]);
    expect(parseConfig({}).redisClusterNodes).toBeNull();
    expect(() => parseConfig({ REDIS_CLUSTER_NODES: "redis-a" })).toThrow(
      /REDIS_CLUSTER_NODES must be a comma-separated/,
    );
    expect(() => parseConfig({ REDIS_CLUSTER_NODES: "redis-a:99999" })).toThrow(/port out of range/);
  });

  it("treats NEW_CARTS_PER_IP_PER_MINUTE=0 as 'no limit', and an empty variable as unset", () => {
    expect(parseConfig({ NEW_CARTS_PER_IP_PER_MINUTE: "0", CART_TTL_SECONDS: "" })).toMatchObject({
      newCartsPerIpPerMinute: 0,
      cartTtlSeconds: 900,
    });
  });

  it("gives the hold's extension and warning their defaults, and refuses a warning under 20 s", () => {
    expect(parseConfig({})).toMatchObject({ maxHoldExtensions: 10, holdWarningSeconds: 60 });
    expect(() => parseConfig({ HOLD_WARNING_SECONDS: "5" })).toThrow(/HOLD_WARNING_SECONDS must be at least 20/);
  });

  it("gives the door its defaults, turns the rate limit off with 0, and refuses a burst under the rate", () => {
    expect(parseConfig({})).toMatchObject({
      rateLimit: { perSecond: 5, burst: 20 },
      maxConnectionsPerClient: 64,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
    });
    expect(parseConfig({ RATE_LIMIT_PER_SECOND: "0" }).rateLimit).toBeNull();
    expect(parseConfig({ RATE_LIMIT_BURST: "0" }).rateLimit).toBeNull();
    expect(parseConfig({ RATE_LIMIT_PER_SECOND: "5", RATE_LIMIT_BURST: "5" }).rateLimit).toEqual({
      perSecond: 5,
      burst: 5,
    });
    expect(() => parseConfig({ RATE_LIMIT_PER_SECOND: "50" })).toThrow(
      /RATE_LIMIT_BURST must be at least RATE_LIMIT_PER_SECOND \(50\)/,
    );
    expect(() => parseConfig({ RATE_LIMIT_PER_SECOND: "-1" })).toThrow(/RATE_LIMIT_PER_SECOND must be at least 0/);
    expect(() => parseConfig({ HEADERS_TIMEOUT_MS: "60000" })).toThrow(
      /HEADERS_TIMEOUT_MS must be at most REQUEST_TIMEOUT_MS/,
    );
  });

  it("runs one web process per core unless WEB_CONCURRENCY says otherwise", () => {
    expect(parseConfig({}).webConcurrency).toBe(availableParallelism());
    expect(parseConfig({ WEB_CONCURRENCY: "3" }).webConcurrency).toBe(3);
    expect(() => parseConfig({ WEB_CONCURRENCY: "0" })).toThrow(/WEB_CONCURRENCY must be at least 1/);
  });
});
