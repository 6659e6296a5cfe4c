import "server-only";
import type { TransactionSql } from "postgres";
import { pg } from "../db/client";
import { variantName } from "../db/schema";
import { ShopError } from "../base/shop-error";
import { insertVariants } from "./catalog-editor";
import { sameOption, type NewVariant, type VariantEdit } from "./catalog-input";
import { adminProduct, announceProduct, productRow, violates, type AdminProduct } from "./catalog-rows";
import type { AnsweredVariant } from "./catalog-listing";
import { applySettings } from "./product-settings";

/**
 * A product's variants as the operator adds and edits them. A variant is a row of stock of its
 * own (its inventory, holds, lines, waiting line, per-shopper limit and drop); its stock grows
 * through POST /api/admin/products/:variantId/stock like any row of stock (lib/admin/restock.ts).
 */

const optionTaken = (option: string) =>
  new ShopError("option_taken", `This product already has the option "${option}".`, { option });

/** 409 option_taken when a sibling of `except` already names the option (case and spaces aside). */
async function assertOptionFree(sql: TransactionSql, productId: number, option: string, except = 0): Promise<void> {
  const siblings = await sql<{ option: string }[]>`
    select option from products where parent_id = ${productId} and id <> ${except}`;
  if (siblings.some((s) => sameOption(s.option, option))) throw optionTaken(option.trim());
}

/**
 * Adds a variant (a size, a colour) with `stock` units to a product offered in variants: its
 * row copies the product's words, price, picture, per-shopper limit and sale, and joins a drop
 * of the product's that has not opened. A product sold as one thing cannot gain variants here
 * (409 not_in_variants): its stock, holds and line are its own, and no variant could take them
 * over without moving shoppers' holds.
 */
export async function addVariant(
  productId: number,
  { option, stock }: NewVariant,
): Promise<{ product: AdminProduct; variant: AnsweredVariant }> {
  const product = await productRow(productId);
  if (!product.inVariants) {
    throw new ShopError(
      "not_in_variants",
      "This product is sold as one thing: its stock, holds and waiting line are its own, so it cannot gain " +
        "variants. Create a product with variants (POST /api/admin/products) and archive this one.",
    );
  }
  const [id] = await pg()
    .begin(async (sql) => {
      await assertOptionFree(sql, productId, option);
      const [parent] = await sql<{ slug: string; name: string }[]>`
        select slug, name from products where id = ${productId}`;
      if (!parent) throw new ShopError("not_found", "No such product.");
      return insertVariants(sql, productId, parent.slug, parent.name, [{ option, stock }]);
    })
    .catch((error: unknown) => {
      throw violates(error, "option") ? optionTaken(option) : error;
    });
  const answer = await adminProduct(productId);
  await announceProduct(answer);
  const variant = answer.variants.find((v) => v.id === id);
  if (!variant) throw new Error(`variant ${id} of product ${productId} not read back`);
  return { product: answer, variant };
}

/**
 * Edits one variant of a product: its option (its name follows), price, per-shopper limit and
 * drop, each its own. 404 when the variant is not one of the product's; 409 option_taken.
 */
export async function editVariant(productId: number, variantId: number, edit: VariantEdit): Promise<AdminProduct> {
  const product = await productRow(productId);
  const [variant] = await pg()<{ id: number }[]>`
    select id from products where id = ${variantId} and parent_id = ${productId}`;
  if (!variant) throw new ShopError("not_found", "No such variant of this product.");
  const { option, priceCents, perShopperLimit, releaseAt } = edit;
  if (option !== undefined || priceCents !== undefined) {
    await pg()
      .begin(async (sql) => {
        if (option !== undefined) {
          await assertOptionFree(sql, productId, option, variantId);
          await sql`update products set option = ${option}, name = ${variantName(product.name, option)}
                     where id = ${variantId}`;
        }
        if (priceCents !== undefined)
          await sql`update products set price_cents = ${priceCents} where id = ${variantId}`;
      })
      .catch((error: unknown) => {
        throw option !== undefined && violates(error, "option") ? optionTaken(option) : error;
      });
  }
  if (perShopperLimit !== undefined || releaseAt !== undefined) {
    await applySettings(variantId, { perShopperLimit, releaseAt });
  }
  const answer = await adminProduct(productId);
  await announceProduct(answer);
  return answer;
}
