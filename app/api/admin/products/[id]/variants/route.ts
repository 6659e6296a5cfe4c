import { assertAdmin } from "@/lib/admin/auth";
import { newVariantSchema } from "@/lib/catalog/catalog-input";
import { addVariant } from "@/lib/catalog/variant-editor";
import { json, mutation } from "@/lib/http/handler";
import { parseProductId, readJson } from "@/lib/http/request";

/** Adds a variant {option, stock}: 201 {product, variant}; 409 option_taken, or not_in_variants for a product sold as one thing. */
export const POST = mutation(async (request, { params }: RouteContext<"/api/admin/products/[id]/variants">) => {
  await assertAdmin(request.headers);
  const productId = parseProductId((await params).id);
  const input = await readJson(request, newVariantSchema);
  return json(await addVariant(productId, input), 201);
});
