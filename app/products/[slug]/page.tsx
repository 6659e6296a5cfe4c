import type { Metadata } from "next";
import Image from "next/image";
import { ShopLink } from "@/components/layout/shop-link";
import { notFound, redirect } from "next/navigation";
import { connection } from "next/server";
import { AddToCart } from "@/components/cart/add-to-cart";
import { holdDuration } from "@/components/product/hold-duration";
import { HoldNote } from "@/components/product/hold-note";
import { LiveStockProvider } from "@/components/product/live-stock";
import { LiveStockLabel } from "@/components/product/live-stock-label";
import { formatCents } from "@/lib/base/money";
import { JoinWaitlist } from "@/components/waitlist/join-waitlist";
import { findProductBySlug, type CatalogProduct } from "@/lib/catalog/catalog-listing";
import { variantPage } from "@/lib/catalog/variants";
import { variantName } from "@/lib/db/tables/catalog";
import { VariantChoice } from "@/components/product/variant-choice";
import { config } from "@/lib/base/config";

type Props = { params: Promise<{ slug: string }>; searchParams: Promise<{ variant?: string | string[] }> };

/**
 * What the page sells: the product itself, or for a product in variants the one chosen
 * (`?variant=`), else the first. Its name says the choice.
 */
function chosen(product: CatalogProduct, asked: string | string[] | undefined) {
  const [first] = product.variants;
  if (!first || first.option === null) return { unit: product, option: null };
  // Without a choice, the first: a page that changed its mind when a size sold out under it would
  // show the shopper another size than the one they were looking at.
  const choice = product.variants.find((v) => String(v.id) === asked) ?? first;
  const option = choice.option ?? "";
  return { unit: { ...product, ...choice, name: variantName(product.name, option) }, option };
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const product = await findProductBySlug((await params).slug);
  return { title: product?.name ?? "Not found" };
}

export default async function ProductPage({ params, searchParams }: Props) {
  await connection(); // as the catalog: rendered per request, shared by views without a cart (lib/pages/)
  const { slug } = await params;
  const product = await findProductBySlug(slug);
  if (!product) {
    // A variant's own slug (a cart line, an order) leads to its product's page with it chosen.
    const page = await variantPage(slug);
    if (page) redirect(page);
    notFound();
  }
  const { unit, option } = chosen(product, (await searchParams).variant);
  // A plain form comes back to the variant it was for.
  const returnTo = option === null ? undefined : `/products/${product.slug}?variant=${unit.id}`;
  return (
    <LiveStockProvider productIds={product.variants.map((v) => v.id)}>
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
          <ShopLink href="/" className="text-sm text-stone-600 hover:underline">
            ← All products
          </ShopLink>
          <h1 className="text-3xl font-bold tracking-tight">{product.name}</h1>
          <p className="text-2xl font-semibold">{formatCents(unit.priceCents)}</p>
          {option !== null && (
            <VariantChoice
              legend="Size"
              selected={unit.id}
              variants={product.variants.map((v) => ({ ...v, option: v.option ?? "" }))}
            />
          )}
          <p data-testid="stock" className="text-lg">
            {option !== null && <span className="font-semibold">{option}: </span>}
            <LiveStockLabel productId={unit.id} rendered={unit} />
          </p>
          <p className="order-last leading-relaxed text-stone-700 md:order-none">{product.description}</p>
          <HoldNote
            productId={unit.id}
            rendered={unit}
            holdFor={holdDuration(config().cartTtlSeconds)}
            offerFor={holdDuration(config().offerTtlSeconds)}
          />
          <AddToCart
            product={unit}
            rendered={unit}
            perShopperLimit={unit.perShopperLimit}
            withQuantity
            returnTo={returnTo}
          />
          <JoinWaitlist product={unit} rendered={unit} withQuantity returnTo={returnTo} />
        </div>
      </article>
    </LiveStockProvider>
  );
}
