import { findProductBySlug } from "@/lib/catalog/catalog-listing";
import { ShopError } from "@/lib/base/shop-error";
import { json, route } from "@/lib/http/handler";

export const GET = route(async (_request, { params }: RouteContext<"/api/products/[slug]">) => {
  const { slug } = await params;
  const found = await findProductBySlug(slug);
  if (!found) throw new ShopError("not_found", "No such product.");
  const { nextReleaseInMs: _ms, releaseInMs: _r, parentId: _p, option: _o, ...product } = found;
  const variants = product.variants.map(({ nextReleaseInMs: _vms, releaseInMs: _vr, ...v }) => v);
  return json({ product: { ...product, variants } });
});
