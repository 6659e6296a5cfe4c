import { listProducts } from "@/lib/catalog/catalog-listing";
import { json, route } from "@/lib/http/handler";

export const GET = route(async () => {
  const products = await listProducts();
  // The *InMs fields only serve a page's countdowns; the API's clients read nextReleaseAt and
  // releaseAt. parentId and option are a variant's, and a listed product is never one.
  return json({
    products: products.map(
      ({ description: _d, nextReleaseInMs: _ms, releaseInMs: _r, parentId: _p, option: _o, ...p }) => ({
        ...p,
        variants: p.variants.map(({ nextReleaseInMs: _vms, releaseInMs: _vr, ...v }) => v),
      }),
    ),
  });
});
