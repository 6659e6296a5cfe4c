import { connection } from "next/server";
import { LiveStockProvider } from "@/components/product/live-stock";
import { ProductCard } from "@/components/product/product-card";
import { listProducts } from "@/lib/catalog/catalog-listing";

export default async function CatalogPage() {
  // Stock changes by the second: rendered for every request Next sees (views without a cart share
  // one render, ended by the next stock change: lib/pages/).
  await connection();
  const products = await listProducts();
  return (
    <>
      <h1 className="mb-2 text-3xl font-bold tracking-tight">The shop</h1>
      <p className="mb-8 text-stone-600">
        What you put in your cart is held for you, so nobody else can buy it while you decide.
      </p>
      {products.length === 0 ? (
        <p className="text-stone-600">
          The catalog is empty. Run <code>npm run db:seed</code> to load the demo products.
        </p>
      ) : (
        <LiveStockProvider productIds={products.map((p) => p.id)}>
          <ul className="grid grid-cols-1 gap-6 sm:grid-cols-2 lg:grid-cols-3" aria-label="Products">
            {products.map((product) => (
              <li key={product.id}>
                <ProductCard product={product} />
              </li>
            ))}
          </ul>
        </LiveStockProvider>
      )}
    </>
  );
}
