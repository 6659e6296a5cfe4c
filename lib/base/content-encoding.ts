import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";

/** The encodings a body sent many times is kept in besides its bytes as they are. */
export type ContentEncoding = "br" | "gzip";
export type EncodedBodies = Partial<Record<ContentEncoding, Buffer>>;

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/**
 * A body sent many times (a shared page render, a static file), compressed once for every client
 * that accepts it. Next compresses nothing here (`compress: false`: an answer made for one request
 * costs more to compress than it saves), but a render sent to thousands of views is compressed
 * once: the bench's catalog of 501 products, 2.2 MB of HTML, is 29 KB in Brotli (quality 5) and
 * 63 KB in gzip, about 11 ms each on libuv's threads, off the event loop. Quality 5, not Brotli's
 * default 11, which takes seconds on that page. Browsers ask for Brotli only over HTTPS, so gzip
 * is kept for plain HTTP.
 */
export async function encodeBody(body: Buffer): Promise<EncodedBodies> {
  const [br, gz] = await Promise.all([
    brotli(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 5,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
    gzipped(body),
  ]);
  return { br, gzip: gz };
}

/**
 * The encoding to send for an `Accept-Encoding` header (RFC 9110, 12.5.3): Brotli, else gzip, when
 * the client accepts it with a q-value above 0 (by name or by `*`); null for the bytes as they are.
 */
export function preferredEncoding(acceptEncoding: string | undefined): ContentEncoding | null {
  if (!acceptEncoding) return null;
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(",")) {
    const [name = "", ...params] = part.split(";");
    const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
    weights.set(name.trim().toLowerCase(), q === undefined ? 1 : Number(q));
  }
  const accepts = (name: ContentEncoding) => (weights.get(name) ?? weights.get("*") ?? 0) > 0;
  if (accepts("br")) return "br";
  if (accepts("gzip")) return "gzip";
  return null;
}

/** What to send a client with this `Accept-Encoding`: a kept encoding it takes, else the bytes as they are. */
export function bodyFor(
  acceptEncoding: string | undefined,
  plain: Buffer,
  encoded: EncodedBodies | null | undefined,
): { body: Buffer; encoding: ContentEncoding | null } {
  const encoding = preferredEncoding(acceptEncoding);
  const body = encoding ? encoded?.[encoding] : undefined;
  return body ? { body, encoding } : { body: plain, encoding: null };
}
