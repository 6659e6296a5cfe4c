import { assertAdmin } from "@/lib/admin/auth";
import { editProduct } from "@/lib/catalog/catalog-editor";
import { CATALOG_BODY_BYTES, productEditSchema } from "@/lib/catalog/catalog-input";
import { config } from "@/lib/base/config";
import { json, mutation } from "@/lib/http/handler";
import { parseProductId, readJson } from "@/lib/http/request";

/**
 * Edits a product (lib/catalog/catalog-input.ts's productEditSchema): slug, name, description,
 * priceCents, imageUrl, archived, perShopperLimit (null: MAX_QTY_PER_LINE) and releaseAt (an ISO
 * time with its offset; null: on sale now). At least one. 404 for a variant's id; 409 slug_taken.
 */
export const PATCH = mutation(async (request, { params }: RouteContext<"/api/admin/products/[id]">) => {
  await assertAdmin(request.headers);
  const productId = parseProductId((await params).id);
  const edit = await readJson(request, productEditSchema(config().maxQtyPerLine), CATALOG_BODY_BYTES);
  return json({ product: await editProduct(productId, edit) });
});
