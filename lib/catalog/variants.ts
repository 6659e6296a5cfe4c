import "server-only";
import { pg } from "../db/client";
import { ShopError } from "../base/shop-error";

/**
 * Where a variant's own slug leads (a cart line or an order links to the row of stock it holds):
 * its product's page with it chosen. Null when `slug` names no variant.
 */
export async function variantPage(slug: string): Promise<string | null> {
  const [row] = await pg()<{ id: number; parent_slug: string }[]>`
    select v.id, p.slug as parent_slug from products v join products p on p.id = v.parent_id where v.slug = ${slug}`;
  return row ? `/products/${row.parent_slug}?variant=${row.id}` : null;
}

/** What a request names to hold or wait for: a product, a variant, or both. */
export type Named = { productId?: number; variantId?: number };

/**
 * The row of stock a request means (the ledger keys holds, lines and waiting lines by it): the
 * variant it names, or the product it names, which for a product sold as one thing is its own
 * single variant. A product in variants named alone is refused later, by `variantRequired`, when
 * the ledger finds no stock under its id: the common path costs no query here.
 */
export async function stockUnitOf({ productId, variantId }: Named): Promise<number> {
  if (variantId === undefined) return productId as number;
  if (productId !== undefined && productId !== variantId) {
    const [row] = await pg()<{ parent_id: number | null }[]>`select parent_id from products where id = ${variantId}`;
    if (row?.parent_id !== productId) {
      throw new ShopError("invalid_request", `Variant ${variantId} is not one of product ${productId}'s.`);
    }
  }
  return variantId;
}

/**
 * Why the ledger found no stock under `id`: a product offered in variants holds none itself, so
 * a request naming it must name one of them (400 variant_required, with the choices). Null when
 * `id` names no such product.
 */
export async function variantRequired(id: number): Promise<ShopError | null> {
  const variants = await pg()<{ id: number; option: string }[]>`
    select id, option from products where parent_id = ${id} order by id`;
  if (variants.length === 0) return null;
  return new ShopError(
    "variant_required",
    `Choose one of ${variants.map((v) => v.option).join(", ")}: each has stock of its own.`,
    { variants },
  );
}

/** `error`, or variant_required in its place when it says a product in variants has no stock. */
export async function explainUnknown(error: unknown, id: number): Promise<unknown> {
  if (!(error instanceof ShopError) || error.code !== "unknown_product") return error;
  return (await variantRequired(id)) ?? error;
}
