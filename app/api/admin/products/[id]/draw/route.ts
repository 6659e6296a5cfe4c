import { assertAdmin } from "@/lib/admin/auth";
import { drawRecord } from "@/lib/drops/draw-record";
import { json, route } from "@/lib/http/handler";
import { parseProductId } from "@/lib/http/request";
import { ShopError } from "@/lib/base/shop-error";

/** The recorded draw of the product's latest drop: who was drawn where, and what came of it. */
export const GET = route(async (request, { params }: RouteContext<"/api/admin/products/[id]/draw">) => {
  await assertAdmin(request.headers);
  const record = await drawRecord(parseProductId((await params).id));
  if (!record) throw new ShopError("not_found", "No such product.");
  return json(record);
});
