import { z } from "zod";
import { assertAdmin } from "@/lib/admin/auth";
import { updateProductSettings } from "@/lib/catalog/product-settings";
import { config } from "@/lib/base/config";
import { json, mutation } from "@/lib/http/handler";
import { parseProductId, readJson } from "@/lib/http/request";

/**
 * What the operator may change of a product here: its per-shopper limit (null: MAX_QTY_PER_LINE)
 * and its drop's release time (an ISO time with its offset; null: on sale now). At least one.
 */
const productBody = (maxQtyPerLine: number) =>
  z
    .strictObject({
      perShopperLimit: z
        .number()
        .int("must be a whole number")
        .min(1)
        .max(maxQtyPerLine, `must be at most MAX_QTY_PER_LINE (${maxQtyPerLine})`)
        .nullable()
        .optional(),
      releaseAt: z.iso
        .datetime({ offset: true, error: "must be an ISO time such as 2026-12-05T10:00:00Z" })
        .transform((at) => new Date(at))
        .nullable()
        .optional(),
    })
    .refine((body) => body.perShopperLimit !== undefined || body.releaseAt !== undefined, {
      error: "give perShopperLimit, releaseAt or both",
    });

export const PATCH = mutation(async (request, { params }: RouteContext<"/api/admin/products/[id]">) => {
  await assertAdmin(request.headers);
  const productId = parseProductId((await params).id);
  const settings = await readJson(request, productBody(config().maxQtyPerLine));
  return json({ product: await updateProductSettings(productId, settings) });
});
