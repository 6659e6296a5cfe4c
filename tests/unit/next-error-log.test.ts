import { describe, expect, it } from "vitest";
import { nextErrorLine } from "@/lib/http/next-error-log";

/** A failed query as drizzle throws it, with the digest Next gives it, as Next passes it to console.error. */
function failedQuery(cause: Error & { code?: string }) {
  const error = Object.assign(
    new Error(
      'Failed query: select "products"."id", "products"."slug"\n  from "products" where ...\nparams: 10,10,active',
      {
        cause,
      },
    ),
    { digest: "2945580894", query: "select ...", params: [10, 10, "active"] },
  );
  return ["\u001b[31m\u001b[1m⨯\u001b[22m\u001b[39m", error];
}

describe("Next's errors in the web's log", () => {
  it("a page that failed because Postgres was unreachable: one warning, its cause and the page's digest, no stack", () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5999"), { code: "ECONNREFUSED" });
    const line = nextErrorLine(failedQuery(cause));
    expect(line).toEqual({
      level: "warn",
      event: "page_failed_backend_unavailable",
      fields: {
        error: 'Failed query: select "products"."id", "products"."slug"',
        cause: "connect ECONNREFUSED 127.0.0.1:5999",
        code: "ECONNREFUSED",
        digest: "2945580894",
      },
    });
    expect(JSON.stringify(line)).not.toMatch(/\n|\bat /);
  });

  it("any other error is an error line, and words without an error are kept, colours taken out", () => {
    const bug = Object.assign(new TypeError("Cannot read properties of undefined (reading 'id')"), { digest: "17" });
    expect(nextErrorLine(["⨯", bug])).toEqual({
      level: "error",
      event: "next_error",
      fields: { error: "Cannot read properties of undefined (reading 'id')", digest: "17" },
    });
    expect(nextErrorLine(["\u001b[31m⨯\u001b[39m", "Failed to start server\n  at x"])).toEqual({
      level: "error",
      event: "next_error",
      fields: { message: "⨯ Failed to start server" },
    });
  });
});
