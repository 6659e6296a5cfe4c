import { assertAdmin } from "@/lib/admin/auth";
import { createProduct } from "@/lib/catalog/catalog-editor";
import { CATALOG_BODY_BYTES, newProductSchema } from "@/lib/catalog/catalog-input";
import { json, mutation } from "@/lib/http/handler";
import { readJson } from "@/lib/http/request";

/** Creates a product, sold as one thing or in variants: 201 {product}; 409 slug_taken; 400 invalid. */
export const POST = mutation(async (request) => {
  await assertAdmin(request.headers);
  const input = await readJson(request, newProductSchema, CATALOG_BODY_BYTES);
  return json({ product: await createProduct(input) }, 201);
});
