import { describe, expect, it } from "vitest";
import { GET as imageRoute } from "@/app/images/[id]/route";
import { ShopError } from "@/lib/base/shop-error";
import { MAX_IMAGE_BYTES, readImage, readUpload, storeImage } from "@/lib/catalog/product-images";
import { pg } from "@/lib/db/client";
import { statusOf } from "@/lib/http/error-response";

// The operator's uploaded product pictures (issue 27): kept in Postgres, served at /images/:id.

/** A 1×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);
const SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
);

const storedCount = async () => (await pg()<{ n: number }[]>`select count(*)::int as n from product_images`)[0]?.n;

const upload = (bytes: Uint8Array, name: string, type: string) => new File([new Uint8Array(bytes)], name, { type });

/** The refusal's HTTP status, as the form and the API would answer it. */
async function refusal(work: Promise<unknown>): Promise<{ status: number; message: string }> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof ShopError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return { status: statusOf(error.code), message: error.message };
}

const get = (id: string) =>
  imageRoute(new Request(`http://localhost:3000/images/${id}`), { params: Promise.resolve({ id }) } as never);

describe("the operator's product pictures", () => {
  it("stores a PNG and serves it back byte for byte, typed, immutable and nosniff", async () => {
    const stored = await storeImage(await readUpload(upload(PNG, "shoe.png", "image/png")));
    expect(stored.url).toBe(`/images/${stored.id}`);
    const response = await get(stored.id);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await response.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await readImage(stored.id))?.bytes.equals(PNG)).toBe(true);
  });

  it("takes the type from the bytes, not the name: a JPEG called .png is served as a JPEG", async () => {
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 1)]);
    const stored = await storeImage(await readUpload(upload(jpeg, "photo.png", "image/png")));
    expect((await get(stored.id)).headers.get("content-type")).toBe("image/jpeg");
  });

  it("refuses a text file called .png, an SVG and an oversize picture with a 4xx, and stores nothing", async () => {
    const before = await storedCount();
    const fake = await refusal(readUpload(upload(Buffer.from("not a picture at all"), "logo.png", "image/png")));
    expect(fake.status).toBe(415);
    expect(fake.message).toMatch(/PNG, JPEG, WebP or GIF/);

    const svg = await refusal(readUpload(upload(SVG, "logo.svg", "image/svg+xml")));
    expect(svg.status).toBe(415);
    // Named and typed as a PNG, the SVG is still refused by its bytes.
    expect((await refusal(readUpload(upload(SVG, "logo.png", "image/png")))).status).toBe(415);

    const big = Buffer.concat([PNG, Buffer.alloc(MAX_IMAGE_BYTES, 0)]);
    const oversize = await refusal(readUpload(upload(big, "huge.png", "image/png")));
    expect(oversize.status).toBe(413);
    expect(oversize.message).toMatch(/at most 900 KB/);

    expect((await refusal(readUpload(upload(Buffer.alloc(0), "empty.png", "image/png")))).status).toBe(400);
    // Even called directly, the store checks the bytes again.
    await expect(storeImage({ contentType: "image/png", bytes: SVG })).rejects.toThrow();
    expect(await storedCount()).toBe(before);
  });

  it("answers 404 for an unknown picture and 400 for an id that is not one", async () => {
    expect((await get(crypto.randomUUID())).status).toBe(404);
    const malformed = await get("not-a-uuid");
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
  });
});
