import { createRequire } from "node:module";
import { DrizzleQueryError } from "drizzle-orm/errors";
import { ReplyError } from "ioredis";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { adminAccessUntil } from "@/lib/admin/auth";
import { config } from "@/lib/base/config";
import { ShopError } from "@/lib/base/shop-error";
import {
  formBodyProblem,
  jsonNesting,
  MAX_ACTION_NESTING,
  replyProblem,
  textBodyProblem,
} from "@/lib/http/action-request";
import { describeError, errorResponse, isBackendUnavailable, isUnstorableValue } from "@/lib/http/error-response";
import { hasMalformedEscape, requestLineProblem } from "@/lib/http/raw-request";
import { isCrossSite } from "@/lib/http/same-origin";

// The encoder the browser uses for server-action arguments, from the React that Next ships.
const { encodeReply } = createRequire(import.meta.url)("next/dist/compiled/react-server-dom-turbopack/client.node") as {
  encodeReply: (value: unknown) => Promise<string | FormData>;
};

/** A driver error shaped as postgres.js raises it (a PostgresError with the SQLSTATE in `code`), wrapped as drizzle does. */
const postgresError = (code: string, message: string) =>
  new DrizzleQueryError(
    "update inventory set on_hand = on_hand + $1",
    [1],
    Object.assign(new Error(message), { name: "PostgresError", code }),
  );

const redisReply = (message: string): Error => new ReplyError(message);

// describeError logs what it classifies; the log is not under test here.
beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
  vi.spyOn(console, "warn").mockImplementation(() => {});
});

describe("a Redis or Postgres that refuses work is an outage (503), not a bug", () => {
  it("knows Redis' refusals: out of memory, a replica, loading, a lost master, a cluster down or resharding", () => {
    for (const message of [
      "OOM command not allowed when used memory > 'maxmemory'. script: bcce83e0, on @user_script:2.",
      "READONLY You can't write against a read only replica.",
      "LOADING Redis is loading the dataset in memory",
      "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
      "CLUSTERDOWN The cluster is down",
      "TRYAGAIN Multiple keys request during rehashing of slot",
      "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
      // Redis 6 wraps a script's error in its own:
      "ERR Error running script (call to f_1be9e309): @user_script:8: @user_script: 8: -OOM command not allowed",
    ]) {
      expect(isBackendUnavailable(redisReply(message)), message).toBe(true);
    }
  });

  it("answers them 503 with Retry-After and the error shape, also when wrapped", async () => {
    const wrapped = new Error("cart write failed", {
      cause: redisReply("READONLY You can't write against a read only replica."),
    });
    const response = errorResponse(wrapped);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(await response.json()).toEqual({
      error: { code: "service_unavailable", message: expect.stringMatching(/try again/) },
    });
  });

  it("leaves Redis errors that are our own mistakes to be 500s", () => {
    for (const message of [
      "ERR wrong number of arguments for 'hset' command",
      "WRONGTYPE Operation against a key holding the wrong kind of value",
      "ERR Error running script: @user_script:3: user_script:3: Script attempted to access nonexistent global variable 'OOM'",
    ]) {
      expect(isBackendUnavailable(redisReply(message)), message).toBe(false);
      expect(describeError(redisReply(message)).status).toBe(500);
    }
  });

  it("treats a read-only Postgres standby as unavailable", () => {
    expect(describeError(postgresError("25006", "cannot execute UPDATE in a read-only transaction")).status).toBe(503);
  });
});

describe("a value the database cannot store is the request's fault (400)", () => {
  it("maps every Postgres data exception (SQLSTATE class 22) to invalid_request, without the driver's words", () => {
    for (const [code, message] of [
      ["22003", "integer out of range"],
      ["22P02", 'invalid input syntax for type integer: "x"'],
      ["22001", "value too long for type character varying(80)"],
    ] as const) {
      const error = postgresError(code, message);
      expect(isUnstorableValue(error)).toBe(true);
      const { status, body } = describeError(error);
      expect(status).toBe(400);
      expect(body.error.code).toBe("invalid_request");
      expect(JSON.stringify(body)).not.toMatch(/integer|syntax|varying|update inventory/);
    }
  });

  it("does not excuse other database errors", () => {
    expect(isUnstorableValue(postgresError("23505", "duplicate key value violates unique constraint"))).toBe(false);
    expect(isUnstorableValue(postgresError("42P01", 'relation "x" does not exist'))).toBe(false);
    expect(describeError(postgresError("42P01", 'relation "x" does not exist')).status).toBe(500);
    expect(isUnstorableValue(new Error("22003"))).toBe(false);
  });
});

describe("the admin token's scheme is case-insensitive (RFC 9110)", () => {
  const refused = (authorization: string) => adminAccessUntil(new Headers({ authorization })) === null;

  it("accepts Bearer however it is written", () => {
    const token = config().adminToken;
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"])
      expect(refused(`${scheme} ${token}`), scheme).toBe(false);
    expect(refused(`Bearer  ${token}`)).toBe(false);
  });

  it("still refuses anything but the exact token", () => {
    const token = config().adminToken;
    for (const value of ["bearer", `bearer${token}`, `Basic ${token}`, `bearer ${token}x`, `bearer x${token}`]) {
      expect(refused(value), value).toBe(true);
    }
  });
});

describe("request lines Next cannot route", () => {
  it("finds malformed % escapes and lets good ones through", () => {
    for (const path of ["/api/products/%ff", "/orders/%ff", "/api/cart/items/%ff", "/%", "/a%zz", "/%e2%82"]) {
      expect(hasMalformedEscape(path), path).toBe(true);
    }
    for (const path of ["/api/cart/items", "/products/caf%C3%A9", "/a%20b", "/%25"]) {
      expect(hasMalformedEscape(path), path).toBe(false);
    }
  });

  it("names the refusal a server in front of Next gives: 405 for TRACE, 400 for a bad escape", () => {
    const status = (method: string, url: string) => {
      const problem = requestLineProblem(method, url);
      return problem ? describeError(problem).status : null;
    };
    expect(status("TRACE", "/api/cart/items")).toBe(405);
    expect(status("track", "/")).toBe(405);
    expect(status("GET", "/api/products/%ff?x=1")).toBe(400);
    expect(status("GET", "/api/products/ok?q=%ff")).toBeNull();
    expect(status("POST", "/api/cart/items")).toBeNull();
  });
});

describe("server-action bodies React never sends are refused before Next decodes them", () => {
  it("passes what React's encoder sends for our actions", async () => {
    expect(textBodyProblem((await encodeReply([12, 3])) as string)).toBeNull();
    expect(textBodyProblem((await encodeReply([])) as string)).toBeNull();
    const form = new FormData();
    form.append("email", "ada@example.com");
    form.append("name", "Ada");
    const checkout = await encodeReply([{ values: { email: "", name: "" } }, form]);
    expect(checkout).toBeInstanceOf(FormData);
    expect(formBodyProblem(checkout as FormData)).toBeNull();
  });

  it("passes the other values React can send (dates, bigints, maps, promises...)", async () => {
    const reply = await encodeReply([new Date(0), 5n, undefined, "$x", NaN, -0, new Map([[1, 2]]), Promise.resolve(3)]);
    expect(reply).toBeInstanceOf(FormData);
    expect(formBodyProblem(reply as FormData)).toBeNull();
    expect(
      textBodyProblem((await encodeReply([new Date(0), 5n, "$x", -0, Infinity, [{ a: [1] }]])) as string),
    ).toBeNull();
  });

  it("refuses a broken body, deep nesting, a non-list of arguments and references to rows not sent", () => {
    expect(textBodyProblem("[1,")).toBe("malformed");
    expect(textBodyProblem("")).toBe("malformed");
    expect(textBodyProblem(`${"[".repeat(5_000)}${"]".repeat(5_000)}`)).toBe("too_deep");
    expect(textBodyProblem('"hello"')).toBe("malformed");
    for (const ref of ['["$1"]', '["$@1"]', '["$Q2", 1]', '["$zz"]', '["$"]'])
      expect(textBodyProblem(ref), ref).toBe("malformed");
    const form = new FormData();
    form.append("0", '["$@1"]');
    expect(formBodyProblem(form)).toBe("malformed");
    form.append("1", "[1,");
    expect(formBodyProblem(form)).toBe("malformed");
    expect(formBodyProblem(new FormData())).toBeNull(); // no reply rows: nothing for React to decode
  });

  it("measures nesting outside strings only", () => {
    expect(jsonNesting('[{"a":"[[[[{{{{"}]')).toBe(2);
    expect(jsonNesting('["\\"[["]')).toBe(1);
    expect(
      replyProblem(new Map([[0, `${"[".repeat(MAX_ACTION_NESTING)}${"]".repeat(MAX_ACTION_NESTING)}`]]), "arguments"),
    ).toBeNull();
  });
});

describe("the same-origin rule route handlers and server actions share", () => {
  const headers = (h: Record<string, string>) => new Headers({ host: "shop.test", ...h });

  it("refuses what a browser marks as coming from elsewhere", () => {
    expect(isCrossSite(headers({ origin: "https://evil.test" }))).toBe(true);
    expect(isCrossSite(headers({ origin: "null" }))).toBe(true);
    expect(isCrossSite(headers({ "sec-fetch-site": "cross-site" }))).toBe(true);
    expect(isCrossSite(headers({ origin: "http://shop.test", "x-forwarded-host": "other.test" }))).toBe(true);
  });

  it("lets the shop's own pages and non-browser clients through", () => {
    expect(isCrossSite(headers({ origin: "http://shop.test", "sec-fetch-site": "same-origin" }))).toBe(false);
    expect(isCrossSite(headers({}))).toBe(false);
  });
});

describe("errors never carry a stack trace", () => {
  it("shapes an unexpected error as internal_error with a plain message", () => {
    const { status, body } = describeError(new TypeError("x is undefined"));
    expect(status).toBe(500);
    expect(body).toEqual({ error: { code: "internal_error", message: "Something went wrong on our side." } });
  });

  it("maps TRACE's refusal through the one status table", () => {
    expect(describeError(new ShopError("method_not_allowed", "TRACE is not supported.")).status).toBe(405);
  });
});
