import { log, reason } from "../base/log";
import { isBackendUnavailable } from "./error-response";

/**
 * Next writes each error it meets while answering (a page whose render threw) with
 * `console.error`: the error inspected whole, its stack in minified chunks, a failed query's SQL
 * and parameters and its cause, 20-40 lines for one failed page. The web process's log is one JSON
 * object per line (lib/base/log.ts), so there each becomes one line: the error's first line, its
 * cause's (a failed query's reason is its cause: "connect ECONNREFUSED ..."), its code and its
 * digest (the number Next sends the browser in place of the message, so a report from a
 * shopper's browser leads to this line). A
 * render that failed because Postgres or Redis was unavailable is a warning (the page said "busy
 * for a moment", lib/http/backend-outage.ts); any other is an error.
 */
export function logNextErrorsAsLines(): void {
  console.error = (...args: unknown[]) => {
    const { level, event, fields } = nextErrorLine(args);
    log[level](event, fields);
  };
}

type ErrorLike = Error & { cause?: unknown; code?: unknown; digest?: unknown };

/** What one `console.error(...)` call of Next's says, as one log line. */
export function nextErrorLine(args: unknown[]): {
  level: "warn" | "error";
  event: string;
  fields: Record<string, unknown>;
} {
  const error = args.find((a): a is ErrorLike => a instanceof Error);
  if (!error) {
    const said = args.map((a) => String(a).replace(/\u001b\[[0-9;]*m/g, "")).join(" "); // Next's colour codes taken out
    return { level: "error", event: "next_error", fields: { message: said.split("\n")[0]?.trim() ?? "" } };
  }
  const cause = error.cause instanceof Error ? (error.cause as ErrorLike) : null;
  const code = [cause?.code, error.code].find((c) => typeof c === "string");
  const fields = {
    error: reason(error).slice(0, 200),
    ...(cause ? { cause: reason(cause).slice(0, 200) } : {}),
    ...(code ? { code } : {}),
    ...(typeof error.digest === "string" ? { digest: error.digest } : {}),
  };
  return isBackendUnavailable(error)
    ? { level: "warn", event: "page_failed_backend_unavailable", fields }
    : { level: "error", event: "next_error", fields };
}
