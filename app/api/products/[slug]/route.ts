import { answeredProduct, findProductBySlug } from "@/lib/catalog/catalog-listing";
import { ShopError } from "@/lib/base/shop-error";
import { json, route } from "@/lib/http/handler";

export const GET = route(async (_request, { params }: RouteContext<"/api/products/[slug]">) => {
  const found = await findProductBySlug((await params).slug);
  if (!found) throw new ShopError("not_found", "No such product.");
  return json({ product: answeredProduct(found) });
});
