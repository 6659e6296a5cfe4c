import "server-only";
import type { z } from "zod";
import { productIdSchema } from "../cart/schemas";
import { ShopError } from "../base/shop-error";
import { clientKey } from "./client-address";
import { isCrossSite } from "./same-origin";

export const MAX_BODY_BYTES = 4 * 1024;

/** The refusal of a body over `max` bytes. */
export const bodyTooLarge = (max: number) =>
  new ShopError("payload_too_large", `The body must be at most ${max} bytes.`);

/** Reads at most `max` bytes, even from a chunked body that announced no length. */
async function readCapped(request: Request, max: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > max) throw bodyTooLarge(max);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw bodyTooLarge(max);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Whether a Content-Type announces JSON, the only body the API reads. */
export const isJsonBody = (contentType: string | null | undefined): boolean =>
  /^application\/json\b/i.test(contentType ?? "");

/**
 * Parses a small JSON body (at most `maxBytes`: MAX_BODY_BYTES, or more for the operator's
 * catalog edits, whose descriptions run longer) against `schema`; every problem is a 4xx ShopError.
 */
export async function readJson<S extends z.ZodType>(
  request: Request,
  schema: S,
  maxBytes = MAX_BODY_BYTES,
): Promise<z.infer<S>> {
  assertJsonBody(request.headers.get("content-type"));
  return jsonInput(await readCapped(request, maxBytes), schema);
}

/** Refuses (415) a body whose Content-Type does not announce JSON. */
export function assertJsonBody(contentType: string | null | undefined): void {
  if (!isJsonBody(contentType)) throw new ShopError("unsupported_media_type", "Send the body as application/json.");
}

/** A JSON body's text read against a route's schema: 400 when it is not JSON, or not what the route takes. */
export function jsonInput<S extends z.ZodType>(text: string, schema: S): z.infer<S> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ShopError("invalid_request", "The body is not valid JSON.");
  }
  return parseInput(schema, data);
}

/** An input's first problem, as its schema words it; a quantity's is `invalid_quantity`. */
export type InputProblem = {
  code: "invalid_request" | "invalid_quantity";
  /** The path of the field at fault ("quantity"), "" for the input as a whole. */
  field: string;
  /** The schema's message ("must be at most 10"); undefined when zod gave no issue. */
  issue: string | undefined;
};

/** The API's wording of a problem: "quantity: must be at most 10". */
const apiWording = ({ field, issue }: InputProblem): string =>
  issue === undefined ? "Invalid body." : `${field || "body"}: ${issue}`;

/**
 * The one parse of an input against a route's schema, for the routes (a JSON body) and the
 * server actions (their arguments or a form's fields, lib/http/server-action.ts): every problem
 * is a 4xx ShopError, worded by `word` (the API's wording unless told).
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  data: unknown,
  word: (problem: InputProblem) => string = apiWording,
): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") ?? "";
  const code = field === "quantity" ? "invalid_quantity" : "invalid_request";
  throw new ShopError(code, word({ code, field, issue: issue?.message }));
}

/** CSRF defence for state-changing route handlers (the rule lives in same-origin.ts). */
export function assertSameOrigin(request: { headers: Pick<Headers, "get"> }): void {
  if (isCrossSite(request.headers)) throw new ShopError("forbidden", "Cross-site requests are not allowed.");
}

/**
 * The key per-client rules count the caller under. In production the web server
 * (scripts/web-server.ts) has made X-Forwarded-For the one address it trusts; under `next dev`
 * Next fills it in from the socket when the client sent none.
 */
export function clientIp(headers: Headers): string {
  return clientKey(headers.get("x-forwarded-for")?.split(",").at(-1)?.trim() ?? "");
}

/** A product id from a URL segment or body: a positive 32-bit integer. */
export function parseProductId(raw: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(raw) || !productIdSchema.safeParse(Number(raw)).success) {
    throw new ShopError("invalid_request", "The product id must be a positive integer.");
  }
  return Number(raw);
}
