/**
 * A DATABASE_URL taken apart without `new URL`, which refuses the multi-host URL of a highly
 * available pair (postgres://…@host1:p1,host2:p2/holdcart?target_session_attrs=primary) that
 * postgres.js takes (docs/high-availability.md).
 */
function parts(url: string): { origin: string; name: string; rest: string } {
  const found = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)(?:\/([^?#]*))?(.*)$/i.exec(url);
  if (!found) throw new Error("DATABASE_URL is not a postgres:// URL");
  return { origin: found[1]!, name: decodeURIComponent(found[2] ?? ""), rest: found[3] ?? "" };
}

/** The database a URL names ("" when it names none). */
export const databaseName = (url: string): string => parts(url).name;

/** The same URL naming another database on the same server(s), its options kept. */
export function withDatabase(url: string, name: string): string {
  const { origin, rest } = parts(url);
  return `${origin}/${encodeURIComponent(name)}${rest}`;
}

/** Where a URL points, for a log line: its host(s) and port(s), without the user or password. */
export const databaseHosts = (url: string): string => parts(url).origin.replace(/^[^:]+:\/\/(?:[^@/]*@)?/, "");
