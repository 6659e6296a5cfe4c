import { listProducts } from "@/lib/catalog/products";
import { json, route } from "@/lib/http/handler";

export const GET = route(async () => {
  const products = await listProducts();
  return json({ products: products.map(({ description: _d, ...p }) => p) });
});
