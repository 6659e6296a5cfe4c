import "server-only";
import type { TransactionSql } from "postgres";
import { pg } from "../db/client";
import { variantName } from "../db/schema";
import type { NewProduct, ProductEdit } from "./catalog-input";
import {
  adminProduct,
  announceProduct,
  PLACEHOLDER_IMAGE,
  productRow,
  slugTaken,
  variantSlugs,
  violates,
  type AdminProduct,
} from "./catalog-rows";
import { applySettings } from "./product-settings";

/**
 * The operator's catalog (issue 27): creating a product, sold as one thing or in variants, and
 * editing its words, price, picture, address and sale. A product offered in variants is a row
 * without stock whose variants are rows of their own, each with its inventory
 * (lib/db/tables/catalog.ts); variants are added and edited in lib/catalog/variant-editor.ts.
 */

/**
 * Creates a product and its stock in one transaction: one variant without an option is a product
 * sold as one thing (one row with its inventory); otherwise a row without stock and one row per
 * option, each with its inventory (on_hand = available = its stock). 409 slug_taken when another
 * product has the slug; nothing is created then.
 */
export async function createProduct(input: NewProduct): Promise<AdminProduct> {
  const { slug, name, description = "", priceCents, imageUrl = PLACEHOLDER_IMAGE, variants } = input;
  const id = await pg()
    .begin(async (sql) => {
      const [row] = await sql<{ id: number }[]>`
        insert into products (slug, name, description, price_cents, image_url)
        values (${slug}, ${name}, ${description}, ${priceCents}, ${imageUrl})
        on conflict (slug) do nothing
        returning id`;
      if (!row) throw slugTaken(slug);
      const only = variants[0];
      if (variants.length === 1 && only && !only.option) {
        await sql`insert into inventory (product_id, on_hand, available) values (${row.id}, ${only.stock}, ${only.stock})`;
      } else {
        await insertVariants(sql, row.id, slug, name, variants as { option: string; stock: number }[]);
      }
      return row.id;
    })
    .catch((error: unknown) => {
      throw violates(error, "slug") ? slugTaken(slug) : error;
    });
  const product = await adminProduct(id);
  await announceProduct(product);
  return product;
}

/** A product's variant rows (a copy of its words, price and picture) and their inventory, in option order. */
export async function insertVariants(
  sql: TransactionSql,
  productId: number,
  slug: string,
  name: string,
  variants: readonly { option: string; stock: number }[],
): Promise<number[]> {
  const options = variants.map((v) => v.option.trim());
  const slugs = await variantSlugs(sql, slug, options);
  const names = options.map((option) => variantName(name, option));
  const created = await sql<{ id: number; option: string }[]>`
    insert into products (parent_id, option, slug, name, description, price_cents, image_url,
                          per_shopper_limit, archived_at, release_at)
    select p.id, u.option, u.slug, u.name, p.description, p.price_cents, p.image_url, p.per_shopper_limit,
           p.archived_at,
           -- A size added to a drop that has not opened joins it.
           (select min(v.release_at) from products v
             where v.parent_id = p.id and v.release_at is not null and v.opened_at is null)
      from products p,
           unnest(${options}::text[], ${slugs}::text[], ${names}::text[]) with ordinality as u(option, slug, name, n)
     where p.id = ${productId}
     order by u.n
    returning id, option`;
  const stock = new Map(variants.map((v) => [v.option.trim(), v.stock]));
  const ids = created.map((c) => c.id);
  const units = created.map((c) => stock.get(c.option) ?? 0);
  await sql`
    insert into inventory (product_id, on_hand, available)
    select id, units, units from unnest(${ids}::int[], ${units}::int[]) as u(id, units)`;
  return ids;
}

/**
 * Edits a product: its slug, name, description, price and picture (a product in variants: its
 * variants' copies too, each variant's name following the product's, and every variant's price
 * set to the product's), its per-shopper limit and drop (every variant's), and whether it is on
 * sale (`archived`). 404 for an unknown id or a variant's; 409 slug_taken.
 */
export async function editProduct(id: number, edit: ProductEdit): Promise<AdminProduct> {
  const { archived, perShopperLimit, releaseAt, ...words } = edit;
  const product = await productRow(id);
  if (Object.values(words).some((v) => v !== undefined)) await editWords(product.id, words);
  if (perShopperLimit !== undefined || releaseAt !== undefined) await applySettings(id, { perShopperLimit, releaseAt });
  if (archived !== undefined) await setArchived(id, archived);
  const answer = await adminProduct(id);
  await announceProduct(answer);
  return answer;
}

type Words = Pick<ProductEdit, "slug" | "name" | "description" | "priceCents" | "imageUrl">;

async function editWords(id: number, { slug, name, description, priceCents, imageUrl }: Words): Promise<void> {
  const shared = defined({ name, description, price_cents: priceCents, image_url: imageUrl });
  await pg()
    .begin(async (sql) => {
      const own = defined({ ...shared, slug });
      if (Object.keys(own).length > 0) await sql`update products set ${sql(own)} where id = ${id}`;
      const { name: _n, ...copied } = shared;
      if (Object.keys(copied).length > 0) await sql`update products set ${sql(copied)} where parent_id = ${id}`;
      if (name !== undefined) {
        const variants = await sql<{ id: number; option: string }[]>`
          select id, option from products where parent_id = ${id}`;
        for (const v of variants) {
          await sql`update products set name = ${variantName(name, v.option)} where id = ${v.id}`;
        }
      }
    })
    .catch((error: unknown) => {
      throw slug !== undefined && violates(error, "slug") ? slugTaken(slug) : error;
    });
}

const defined = <T extends Record<string, unknown>>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/**
 * Takes a product off sale, or puts it back. Archived, it is not listed and nobody may hold more
 * of it or join its line (change_lines, join_line, a lone new cart: product_archived); holds
 * already made, offers included, run out or are bought as any hold. Its line ends: places not yet
 * offered anything are removed, so no unit that comes back is offered to them (a new hold). One
 * statement: the rows of stock are locked in id order (every change of a line takes its row
 * lock, invariant 12) before the product and its variants are stamped.
 */
export async function setArchived(id: number, archived: boolean): Promise<void> {
  if (!archived) {
    await pg()`update products set archived_at = null where id = ${id} or parent_id = ${id}`;
    return;
  }
  await pg()`
    with locked as (
           select i.product_id from inventory i join products p on p.id = i.product_id
            where p.id = ${id} or p.parent_id = ${id}
            order by i.product_id for update of i),
         stamped as (
           update products p set archived_at = coalesce(p.archived_at, now())
             from (select count(*) from locked) l
            where p.id = ${id} or p.parent_id = ${id}),
         ended as (
           delete from waitlist_entries w
            where w.product_id in (select product_id from locked) and w.offer_cart_id is null)
    select 1`;
}
