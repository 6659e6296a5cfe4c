import { z } from "zod";
import { assertAdmin } from "@/lib/admin/auth";
import { receiveStock } from "@/lib/admin/restock";
import { json, mutation } from "@/lib/http/handler";
import { parseProductId, readJson } from "@/lib/http/request";

const StockBody = z.strictObject({ add: z.number().int("must be a whole number").min(1).max(1_000_000) });

export const POST = mutation(async (request, { params }: RouteContext<"/api/admin/products/[id]/stock">) => {
  await assertAdmin(request.headers);
  const productId = parseProductId((await params).id);
  const { add } = await readJson(request, StockBody);
  return json({ product: await receiveStock(productId, add) });
});
