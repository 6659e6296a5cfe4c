import "server-only";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { bodyFor, encodeBody, type EncodedBodies } from "../../base/content-encoding";
import { filesUnder } from "./counted-request";

/** A file the door sends from memory, compressed the first time it is asked for. */
type StaticFile = {
  body: Buffer;
  type: string;
  cacheControl: string;
  etag: string;
  encoded: EncodedBodies | null;
  encoding: Promise<void> | null;
};

const TYPES: Record<string, string> = {
  ".js": "application/javascript; charset=UTF-8",
  ".css": "text/css; charset=UTF-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".gif": "image/gif",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".txt": "text/plain; charset=UTF-8",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
};
/** Already compressed: sent as they are. */
const COMPRESSED = new Set([".png", ".jpg", ".jpeg", ".webp", ".avif", ".gif", ".woff2", ".woff"]);
/** Larger files stay with Next, which streams them from disk. */
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/**
 * The build's scripts and styles (`.next/static/`), the files of `public/` and the app's icon,
 * sent by the door from memory. Through Next each cost 0.3-0.9 ms of the web's CPU (a chunk of
 * script, a product's picture; the icon 1.6 ms), and a browser new to the shop asks for a dozen
 * of them with its first page (ten
 * scripts, the styles, the pictures): many times what the page itself costs from the shared render
 * (lib/pages/). Here each is a lookup and a write, and scripts, styles and pictures in SVG go out
 * compressed (Next compresses nothing: next.config.ts), 3-4 times fewer bytes. The headers are
 * Next's: `/_next/static/` is named by its content, cached for a year; a file of `public/` is
 * asked again each time (`max-age=0`), answered 304 when its ETag matches. Read once when the
 * web process starts: a build never changes under a running server, and `public/` is part of the
 * release (the operator's pictures are in Postgres: app/images/). A CDN in front does it better.
 */
export function staticFiles(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const add = (file: string, urlPath: string, cacheControl: string) => {
    const ext = path.extname(file).toLowerCase();
    const type = TYPES[ext];
    if (!type || !existsSync(file)) return;
    const body = readFileSync(file);
    if (body.length > MAX_FILE_BYTES) return;
    const etag = `W/"${createHash("sha1").update(body).digest("base64url")}"`;
    files.set(urlPath, {
      body,
      type,
      cacheControl,
      etag,
      encoded: COMPRESSED.has(ext) ? {} : null,
      encoding: null,
    });
  };
  const year = "public, max-age=31536000, immutable";
  for (const [file, urlPath] of filesUnder(path.join(root, ".next/static"), "/_next/static")) add(file, urlPath, year);
  for (const [file, urlPath] of filesUnder(path.join(root, "public"), "")) add(file, urlPath, "public, max-age=0");
  // The app's icon, which every page links to (`/icon.svg?<hash>`): Next's metadata route answers
  // it with the file as it is. Where app/ is not deployed (the Docker image), Next still does.
  add(path.join(root, "app/icon.svg"), "/icon.svg", "public, max-age=0, must-revalidate");
  return files;
}

/** The file a GET or HEAD asks for (the query is ignored, as Next ignores it), or null. */
export function staticFileFor(
  files: ReadonlyMap<string, StaticFile>,
  method: string | undefined,
  url: string,
): StaticFile | null {
  if (method !== "GET" && method !== "HEAD") return null;
  const query = url.indexOf("?");
  return files.get(query === -1 ? url : url.slice(0, query)) ?? null;
}

export function serveStaticFile(req: IncomingMessage, res: ServerResponse, file: StaticFile): void {
  // Compressed once, off the event loop; meanwhile (or if that failed) sent as it is.
  if (file.encoded === null) {
    file.encoding ??= encodeBody(file.body).then(
      (encoded) => void (file.encoded = encoded),
      () => void (file.encoded = {}),
    );
  }
  const ifNoneMatch = req.headers["if-none-match"];
  if (ifNoneMatch && ifNoneMatch.split(",").some((tag) => tag.trim() === file.etag || tag.trim() === "*")) {
    res.writeHead(304, { etag: file.etag, "cache-control": file.cacheControl, vary: "Accept-Encoding" });
    res.end();
    return;
  }
  const { body, encoding } = bodyFor(req.headers["accept-encoding"], file.body, file.encoded);
  res.writeHead(200, {
    "content-type": file.type,
    "cache-control": file.cacheControl,
    etag: file.etag,
    vary: "Accept-Encoding",
    ...(encoding ? { "content-encoding": encoding } : {}),
    "content-length": String(body.length),
  });
  res.end(req.method === "HEAD" ? undefined : body);
}
