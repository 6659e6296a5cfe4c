import type { Metadata } from "next";
import Image from "next/image";
import Link from "next/link";
import { notFound } from "next/navigation";
import { connection } from "next/server";
import { AddToCart } from "@/components/cart/add-to-cart";
import { holdDuration } from "@/components/product/hold-duration";
import { HoldNote } from "@/components/product/hold-note";
import { LiveStockProvider } from "@/components/product/live-stock";
import { LiveStockLabel } from "@/components/product/live-stock-label";
import { formatCents } from "@/lib/base/money";
import { JoinWaitlist } from "@/components/waitlist/join-waitlist";
import { findProductBySlug } from "@/lib/catalog/products";
import { config } from "@/lib/base/config";

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const product = await findProductBySlug((await params).slug);
  return { title: product?.name ?? "Not found" };
}

export default async function ProductPage({ params }: Props) {
  await connection(); // as the catalog: rendered per request, shared by views without a cart (lib/pages/)
  const product = await findProductBySlug((await params).slug);
  if (!product) notFound();
  return (
    <LiveStockProvider productIds={[product.id]}>
      <article className="grid gap-4 md:grid-cols-2 md:gap-8">
        <Image
          src={product.imageUrl}
          alt={product.name}
          width={800}
          height={800}
          unoptimized
          priority
          // On a phone the picture leaves room for the price, the stock and "Add to cart" on the first screen.
          className="aspect-[16/10] w-full rounded-xl border border-stone-200 bg-stone-100 object-cover md:aspect-square"
        />
        <div className="flex flex-col gap-3 md:gap-4">
          <Link href="/" className="text-sm text-stone-600 hover:underline">
            ← All products
          </Link>
          <h1 className="text-3xl font-bold tracking-tight">{product.name}</h1>
          <p className="text-2xl font-semibold">{formatCents(product.priceCents)}</p>
          <p data-testid="stock" className="text-lg">
            <LiveStockLabel productId={product.id} rendered={product} />
          </p>
          <p className="order-last leading-relaxed text-stone-700 md:order-none">{product.description}</p>
          <HoldNote
            productId={product.id}
            rendered={product}
            holdFor={holdDuration(config().cartTtlSeconds)}
            offerFor={holdDuration(config().offerTtlSeconds)}
          />
          <AddToCart product={product} rendered={product} perShopperLimit={product.perShopperLimit} withQuantity />
          <JoinWaitlist product={product} rendered={product} withQuantity />
        </div>
      </article>
    </LiveStockProvider>
  );
}
