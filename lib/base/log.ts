/**
 * The one logger of the web and the worker: a JSON object per line, `{t, level, event, ...fields}`,
 * so an operator's tools (and the tests) read every line the same way. Every level goes to
 * stdout, one event stream for the platform to collect. No `server-only`: scripts use it too.
 */
type Fields = Record<string, unknown>;
type Level = "info" | "warn" | "error";

function write(level: Level, event: string, fields: Fields): void {
  console.log(JSON.stringify({ t: new Date().toISOString(), level, event, ...fields }));
}

/** The first line of an error's message: enough to tell what failed, never a stack trace. */
export const reason = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";

export const log = {
  info: (event: string, fields: Fields = {}) => write("info", event, fields),
  warn: (event: string, fields: Fields = {}) => write("warn", event, fields),
  error: (event: string, fields: Fields = {}) => write("error", event, fields),
};
