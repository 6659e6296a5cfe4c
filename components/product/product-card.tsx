import Image from "next/image";
import { ShopLink } from "@/components/layout/shop-link";
import { AddToCart } from "@/components/cart/add-to-cart";
import { JoinWaitlist } from "@/components/waitlist/join-waitlist";
import type { CatalogProduct } from "@/lib/catalog/catalog-listing";
import { LiveStockLabel } from "./live-stock-label";
import { formatCents } from "@/lib/base/money";
import { StockFrame } from "./stock-frame";

/**
 * A catalog card. The whole card opens the product page through its title's link (stretched over
 * the card by `after:`), so picture and title are one link and one tab stop; the add-to-cart form
 * sits above it and stays usable.
 */
export function ProductCard({ product }: { product: CatalogProduct }) {
  const titleId = `p-${product.id}`;
  // A product in variants is held one variant at a time: its card says which there are, and its page takes the choice.
  const options = product.variants.flatMap((v) => (v.option === null ? [] : [v.option]));
  return (
    <StockFrame
      productId={product.id}
      available={product.available}
      labelledBy={titleId}
      className="group relative flex h-full flex-col overflow-hidden rounded-xl border border-stone-200 bg-white shadow-sm transition hover:shadow-md has-[a:focus-visible]:ring-2 has-[a:focus-visible]:ring-stone-900"
    >
      <div className="relative bg-stone-100">
        <Image
          src={product.imageUrl}
          alt={product.name}
          width={400}
          height={400}
          unoptimized
          className="aspect-square w-full object-cover transition group-data-[unavailable]:opacity-55 group-data-[unavailable]:grayscale"
        />
      </div>
      <div className="flex flex-1 flex-col gap-2 p-4">
        <h2 id={titleId} className="font-semibold">
          <ShopLink
            href={`/products/${product.slug}`}
            className="after:absolute after:inset-0 after:content-[''] group-hover:underline focus-visible:outline-none"
          >
            {product.name}
          </ShopLink>
        </h2>
        <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1 text-sm">
          <span className="text-base font-semibold">{formatCents(product.priceCents)}</span>
          <LiveStockLabel productId={product.id} rendered={product} />
        </div>
        {/* Above the stretched link: the form is clicked, not the card. */}
        <div className="relative z-[1] mt-auto flex flex-col gap-2 pt-2">
          {options.length > 0 ? (
            <p className="text-sm text-stone-700">
              In {options.length === 1 ? options[0] : `${options.length} sizes: ${options.join(", ")}`}. Choose yours on
              its page.
            </p>
          ) : (
            <>
              <AddToCart product={product} rendered={product} perShopperLimit={product.perShopperLimit} />
              <JoinWaitlist product={product} rendered={product} />
            </>
          )}
        </div>
      </div>
    </StockFrame>
  );
}
