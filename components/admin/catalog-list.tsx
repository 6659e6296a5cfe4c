import Image from "next/image";
import { ShopLink } from "@/components/layout/shop-link";
import type { AdminProduct } from "@/lib/catalog/catalog-rows";
import { formatCents } from "@/lib/base/money";
import { AddVariantForm, ArchiveForm } from "./catalog-forms";
import { CreateProductForm, EditProductForm, type ImageLimits } from "./product-form";

/** A row of stock's figures as the list says them. */
const stockText = (v: { available: number; reserved: number; waiting: number }) =>
  `${v.available} available` +
  (v.reserved > 0 ? ` · ${v.reserved} in carts` : "") +
  (v.waiting > 0 ? ` · ${v.waiting} waiting` : "");

function CatalogEntry({
  product,
  limits,
  maxQtyPerLine,
}: {
  product: AdminProduct;
  limits: ImageLimits;
  maxQtyPerLine: number;
}) {
  const inVariants = !product.variants.some((v) => v.id === product.id);
  const archived = product.archivedAt !== null;
  const headingId = `catalog-${product.id}-name`;
  return (
    <li
      aria-labelledby={headingId}
      data-testid={`catalog-${product.slug}`}
      className="scroll-mt-24 space-y-3 rounded-lg border border-stone-200 bg-white p-4"
    >
      <div className="flex gap-3">
        <Image
          src={product.imageUrl}
          alt=""
          width={64}
          height={64}
          unoptimized
          className="size-16 shrink-0 rounded-md border border-stone-200 bg-stone-100 object-cover"
        />
        <div className="min-w-0 flex-1 space-y-1">
          <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
            <h3 id={headingId} className="font-semibold">
              {product.name}
            </h3>
            <span
              data-testid="catalog-status"
              className={`rounded-full px-2 py-0.5 text-xs font-medium ${archived ? "bg-stone-200 text-stone-800" : "bg-emerald-100 text-emerald-900"}`}
            >
              {archived ? "Archived" : "On sale"}
            </span>
          </div>
          <p className="text-sm text-stone-700">
            {archived ? (
              <span className="break-all">/products/{product.slug}</span>
            ) : (
              <ShopLink href={`/products/${product.slug}`} className="break-all underline hover:text-stone-900">
                /products/{product.slug}
              </ShopLink>
            )}{" "}
            <span className="whitespace-nowrap">· {formatCents(product.priceCents)}</span>
          </p>
          <ul className="text-sm text-stone-800" aria-label={`Stock of ${product.name}`}>
            {product.variants.map((v) => (
              <li key={v.id} className="tabular-nums" data-testid="catalog-variant">
                {inVariants ? <span className="font-medium">{v.option}: </span> : null}
                {stockText(v)}
              </li>
            ))}
          </ul>
        </div>
      </div>
      <details className="group rounded-md border border-stone-200">
        <summary className="cursor-pointer px-3 py-2 text-sm font-medium hover:bg-stone-50">
          Edit {product.name}
        </summary>
        <div className="space-y-4 border-t border-stone-200 p-3">
          <EditProductForm
            limits={limits}
            product={{
              ...product,
              perShopperLimit: product.perShopperLimit >= maxQtyPerLine ? null : product.perShopperLimit,
            }}
          />
          {inVariants && <AddVariantForm productId={product.id} name={product.name} />}
        </div>
      </details>
      <ArchiveForm productId={product.id} name={product.name} archived={archived} />
    </li>
  );
}

/** The operator's catalog: a new product, and every product (archived too) to edit, extend or archive. */
export function CatalogSection({
  products,
  limits,
  maxQtyPerLine,
}: {
  products: AdminProduct[];
  limits: ImageLimits;
  maxQtyPerLine: number;
}) {
  return (
    <section id="catalog" aria-labelledby="catalog-heading" className="scroll-mt-24 space-y-4">
      <h2 id="catalog-heading" className="text-xl font-semibold">
        Catalog
      </h2>
      <CreateProductForm limits={limits} />
      <ul className="grid items-start gap-3 lg:grid-cols-2" aria-label="Products">
        {products.map((p) => (
          <CatalogEntry key={p.id} product={p} limits={limits} maxQtyPerLine={maxQtyPerLine} />
        ))}
      </ul>
    </section>
  );
}
