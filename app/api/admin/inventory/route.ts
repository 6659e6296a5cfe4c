import { assertAdmin } from "@/lib/admin/auth";
import { inventoryReport } from "@/lib/admin/inventory-report";
import { json, route } from "@/lib/http/handler";

export const GET = route(async (request) => {
  await assertAdmin(request.headers);
  return json(await inventoryReport());
});
