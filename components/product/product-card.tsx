import Image from "next/image";
import Link from "next/link";
import { AddToCart } from "@/components/cart/add-to-cart";
import type { ProductView } from "@/lib/catalog/products";
import { formatCents } from "./money";
import { LiveStockLabel } from "./live-stock-label";

export function ProductCard({ product }: { product: ProductView }) {
  return (
    <article
      className="flex flex-col overflow-hidden rounded-xl border border-stone-200 bg-white shadow-sm"
      aria-labelledby={`p-${product.id}`}
    >
      <Image
        src={product.imageUrl}
        alt={product.name}
        width={400}
        height={400}
        unoptimized
        className="aspect-square w-full bg-stone-100 object-cover"
      />
      <div className="flex flex-1 flex-col gap-2 p-4">
        <h2 id={`p-${product.id}`} className="font-semibold">
          <Link href={`/products/${product.slug}`} className="hover:underline">
            {product.name}
          </Link>
        </h2>
        <div className="flex items-center justify-between text-sm">
          <span className="text-base font-semibold">{formatCents(product.priceCents)}</span>
          <LiveStockLabel productId={product.id} available={product.available} />
        </div>
        <div className="mt-auto pt-2">
          <AddToCart product={product} available={product.available} />
        </div>
      </div>
    </article>
  );
}
