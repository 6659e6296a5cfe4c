import { listProducts } from "@/lib/catalog/products";
import { json, route } from "@/lib/http/handler";

export const GET = route(async () => {
  const products = await listProducts();
  // nextReleaseInMs only serves a page's countdown; the API's clients read nextReleaseAt.
  return json({ products: products.map(({ description: _d, nextReleaseInMs: _ms, ...p }) => p) });
});
