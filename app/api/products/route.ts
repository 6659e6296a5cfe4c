import { answeredProduct, listProducts } from "@/lib/catalog/catalog-listing";
import { json, route } from "@/lib/http/handler";

export const GET = route(async () => {
  const products = await listProducts();
  // The catalog without each product's description (its page has it).
  return json({ products: products.map((p) => answeredProduct(p)).map(({ description: _d, ...p }) => p) });
});
