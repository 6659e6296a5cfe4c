import "server-only";
import { eq } from "drizzle-orm";
import { ShopError } from "../base/shop-error";
import { db } from "../db/client";
import { productImages } from "../db/schema";

/**
 * Product pictures the operator uploads (issue 27), kept in Postgres (product_images) so every web
 * instance serves every one at `/images/<id>` (app/images/[id]/route.ts). What a file is comes
 * from its first bytes, never from its name or the type the browser claimed: PNG, JPEG, WebP or
 * GIF. SVG is refused (it can carry scripts), as is anything else; nothing is stored then.
 */

/**
 * The largest picture taken. A server action's whole body, the form's other fields included, may
 * be at most MAX_ACTION_BODY_BYTES (1 MiB, lib/http/action-request.ts), which proxy.ts, Next and
 * the production server's door (lib/http/raw-request.ts) all enforce: 900 KiB leaves the rest of
 * the form room to spare.
 */
export const MAX_IMAGE_BYTES = 900 * 1024;

/** How the form says the limit. */
export const MAX_IMAGE_SIZE_TEXT = "900 KB";

export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/** A stored picture's id: a uuid, as Postgres writes it. */
const IMAGE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const isImageId = (id: string): boolean => IMAGE_ID.test(id);

/** Where a stored picture is served. */
export const imageUrlOf = (id: string): string => `/images/${id}`;

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0): boolean =>
  bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

/** The picture's type by its magic bytes, or null when it is none the shop takes. */
export function imageTypeOf(bytes: Uint8Array): ImageType | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "image/webp";
  if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) return "image/gif";
  return null;
}

const tooLarge = (size: number) =>
  new ShopError(
    "payload_too_large",
    `The picture is ${Math.ceil(size / 1024)} KB; it may be at most ${MAX_IMAGE_SIZE_TEXT}. Make it smaller and upload it again.`,
    { maxBytes: MAX_IMAGE_BYTES },
  );

/**
 * The picture's type when it may be stored; otherwise a refusal saying why (413 too large, 415
 * not a PNG, JPEG, WebP or GIF, 400 empty).
 */
export function checkImage(bytes: Uint8Array): ImageType {
  if (bytes.length === 0) throw new ShopError("invalid_request", "The picture file is empty.");
  if (bytes.length > MAX_IMAGE_BYTES) throw tooLarge(bytes.length);
  const type = imageTypeOf(bytes);
  if (!type) {
    throw new ShopError(
      "unsupported_media_type",
      "The picture must be a PNG, JPEG, WebP or GIF image (the file's content says it is none of these; SVG is not taken).",
    );
  }
  return type;
}

/** A checked picture, ready to store. */
export type CheckedImage = { contentType: ImageType; bytes: Buffer };

/** Reads and checks an uploaded file (its size first, before its bytes are read). */
export async function readUpload(file: Blob): Promise<CheckedImage> {
  if (file.size > MAX_IMAGE_BYTES) throw tooLarge(file.size);
  const bytes = Buffer.from(await file.arrayBuffer());
  return { contentType: checkImage(bytes), bytes };
}

/** Stores a checked picture: its id and the address it is served at. */
export async function storeImage({ contentType, bytes }: CheckedImage): Promise<{ id: string; url: string }> {
  // Checked again here: nothing unchecked is ever stored, whoever calls.
  if (checkImage(bytes) !== contentType) throw new Error("a picture's content type must be its bytes' own");
  const [row] = await db().insert(productImages).values({ contentType, bytes }).returning({ id: productImages.id });
  if (!row) throw new Error("product_images: insert returned no row");
  return { id: row.id, url: imageUrlOf(row.id) };
}

/** A stored picture; null when there is none with `id` (a malformed id is none either). */
export async function readImage(id: string): Promise<{ contentType: ImageType; bytes: Buffer } | null> {
  if (!isImageId(id)) return null;
  const [row] = await db()
    .select({ contentType: productImages.contentType, bytes: productImages.bytes })
    .from(productImages)
    .where(eq(productImages.id, id));
  return row ? { contentType: row.contentType as ImageType, bytes: row.bytes } : null;
}

/** Removes a picture nothing points at (one stored for a product whose creation then failed). */
export async function deleteImage(id: string): Promise<void> {
  if (isImageId(id)) await db().delete(productImages).where(eq(productImages.id, id));
}
