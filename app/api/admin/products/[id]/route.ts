import { z } from "zod";
import { assertAdmin } from "@/lib/admin/auth";
import { setPerShopperLimit } from "@/lib/catalog/product-settings";
import { config } from "@/lib/config";
import { json, mutation } from "@/lib/http/handler";
import { parseProductId, readJson } from "@/lib/http/request";

/** What the operator may change of a product here: its per-shopper limit (null: MAX_QTY_PER_LINE). */
const productBody = (maxQtyPerLine: number) =>
  z.strictObject({
    perShopperLimit: z
      .number()
      .int("must be a whole number")
      .min(1)
      .max(maxQtyPerLine, `must be at most MAX_QTY_PER_LINE (${maxQtyPerLine})`)
      .nullable(),
  });

export const PATCH = mutation(async (request, { params }: RouteContext<"/api/admin/products/[id]">) => {
  assertAdmin(request.headers);
  const productId = parseProductId((await params).id);
  const { perShopperLimit } = await readJson(request, productBody(config().maxQtyPerLine));
  return json({ product: await setPerShopperLimit(productId, perShopperLimit) });
});
