/**
 * `value` when it is a path on this site to send a browser back to, else `fallback`: another site
 * ("https://…", "//evil", "/\evil") or anything that could not go into a Location header as it is
 * (printable ASCII only) is not.
 */
export function sameSitePath(value: unknown, fallback: string): string {
  return typeof value === "string" && value.length <= 500 && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : fallback;
}
