import { readdirSync, type Dirent } from "node:fs";
import path from "node:path";

/**
 * Whether a request spends the client's rate budget. Static files are not counted: a first page
 * view fetches a dozen scripts, styles and images at once, Next answers them from disk with
 * immutable caching (a CDN in front answers them without us), and refusing them would break the
 * page a shopper is allowed to see. Only files that exist count as static (the build's
 * `/_next/static/`, the image optimizer, the files of `public/`, the app's icon): a path that
 * merely ends in `.js` would be rendered by Next, so it counts. Everything else counts, stream
 * opens included: one request per stream, and a client that reconnects in a loop is exactly
 * what the door is for.
 */
export function countsTowardRate(url: string, publicFiles: ReadonlySet<string>): boolean {
  if (url.startsWith("/_next/static/") || url.startsWith("/_next/image?")) return false;
  const query = url.indexOf("?");
  const pathname = query === -1 ? url : url.slice(0, query);
  return !publicFiles.has(pathname) && !APP_ICONS.has(pathname);
}

/** What Next serves from `app/icon.*` and browsers ask for by themselves. */
const APP_ICONS = new Set(["/icon.svg", "/favicon.ico"]);

/** The URL paths of the files under `dir` (the app's `public/`), read once at start. */
export function publicFilePaths(dir: string): Set<string> {
  return new Set(filesUnder(dir, "").map(([, urlPath]) => urlPath));
}

/** Every file under `dir` and the URL path it is served at (under `prefix`); none when `dir` is missing. */
export function filesUnder(dir: string, prefix: string): [file: string, urlPath: string][] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return []; // no such folder (no public/, or no build)
  }
  return entries.flatMap((entry): [string, string][] => {
    const file = path.join(dir, entry.name);
    const urlPath = `${prefix}/${encodeURI(entry.name)}`;
    if (entry.isDirectory()) return filesUnder(file, urlPath);
    return entry.isFile() ? [[file, urlPath]] : [];
  });
}
