import { assertAdmin } from "@/lib/admin/auth";
import { variantEditSchema } from "@/lib/catalog/catalog-input";
import { editVariant } from "@/lib/catalog/variant-editor";
import { config } from "@/lib/base/config";
import { json, mutation } from "@/lib/http/handler";
import { parseProductId, readJson } from "@/lib/http/request";

/** Edits one variant {option?, priceCents?, perShopperLimit?, releaseAt?}: {product}; 404 if not the product's; 409 option_taken. */
export const PATCH = mutation(
  async (request, { params }: RouteContext<"/api/admin/products/[id]/variants/[variantId]">) => {
    await assertAdmin(request.headers);
    const { id, variantId } = await params;
    const edit = await readJson(request, variantEditSchema(config().maxQtyPerLine));
    return json({ product: await editVariant(parseProductId(id), parseProductId(variantId), edit) });
  },
);
