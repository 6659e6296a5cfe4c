import { ShopError } from "@/lib/base/shop-error";
import { isImageId, readImage } from "@/lib/catalog/product-images";
import { route } from "@/lib/http/handler";

/**
 * A product picture the operator uploaded (lib/catalog/product-images.ts). A stored picture never
 * changes (a new one is a new id), so browsers and proxies keep it for good. Its type is the one
 * its bytes were found to be; nosniff and a sandboxing policy keep a browser from reading it as
 * anything else. 400 for an id that is not a uuid, 404 for an unknown one.
 */
export const GET = route(async (_request, { params }: RouteContext<"/images/[id]">) => {
  const { id } = await params;
  if (!isImageId(id)) throw new ShopError("invalid_request", "A picture's id is a uuid.");
  const image = await readImage(id);
  if (!image) throw new ShopError("not_found", "No such picture.");
  return new Response(new Uint8Array(image.bytes), {
    headers: {
      "content-type": image.contentType,
      "content-length": String(image.bytes.length),
      "cache-control": "public, max-age=31536000, immutable",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
    },
  });
});
