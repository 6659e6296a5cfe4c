import { z } from "zod";

/**
 * What the operator sends to create and edit products and their variants (the admin API's
 * bodies, app/api/admin/products/...). Every rule the database also enforces is checked here
 * first, so bad input is a 400 that changes nothing.
 */

/** A product's slug, its page's address: kebab-case, as findProductBySlug reads it. */
export const SLUG = /^[a-z0-9][a-z0-9-]{0,199}$/;

/** The most units one row of stock is created or restocked with in one go (as POST .../stock). */
export const MAX_STOCK = 1_000_000;

/** The operator's catalog bodies carry descriptions: more room than a shopper's request (4 KB). */
export const CATALOG_BODY_BYTES = 64 * 1024;

/** 100,000.00 in cents: a cart's total of many units still fits an integer. */
export const MAX_PRICE_CENTS = 10_000_000;

const slug = z.string().regex(SLUG, "must be lowercase letters, digits and dashes (a-z, 0-9, -), at most 200");
const name = z.string().trim().min(1, "must not be empty").max(200);
const description = z.string().trim().max(5_000);
const priceCents = z.number().int("must be a whole number of cents").min(0).max(MAX_PRICE_CENTS);
/** A file of public/ ("/products/x.svg") or an https address. */
const imageUrl = z
  .string()
  .max(2_000)
  .refine(
    (url) => (/^\/[A-Za-z0-9._~/-]*$/.test(url) && !url.startsWith("//") && !url.includes("..")) || isHttps(url),
    {
      error: "must be a path of the site (/products/x.svg) or an https:// address",
    },
  );
const option = z.string().trim().min(1, "must not be empty").max(100);
const stock = z.number().int("must be a whole number").min(0).max(MAX_STOCK);

function isHttps(url: string): boolean {
  try {
    return new URL(url).protocol === "https:";
  } catch {
    return false;
  }
}

/** Options that differ only in case or spaces name the same choice for a shopper. */
export const sameOption = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * POST /api/admin/products. One variant without an option: a product sold as one thing. Several
 * variants (or one with an option): a product in variants, each option non-empty and distinct.
 */
export const newProductSchema = z
  .strictObject({
    slug,
    name,
    description: description.optional(),
    priceCents,
    imageUrl: imageUrl.optional(),
    variants: z
      .array(z.strictObject({ option: z.string().trim().max(100).optional(), stock }))
      .min(1, "give at least one variant")
      .max(100),
  })
  .superRefine(({ variants }, context) => {
    if (variants.length === 1 && !variants[0]?.option) return;
    variants.forEach((v, i) => {
      if (!v.option) {
        context.addIssue({ code: "custom", path: ["variants", i, "option"], message: "must not be empty" });
      } else if (variants.slice(0, i).some((w) => w.option && sameOption(w.option, v.option as string))) {
        context.addIssue({ code: "custom", path: ["variants", i, "option"], message: `"${v.option}" is given twice` });
      }
    });
  });
export type NewProduct = z.infer<typeof newProductSchema>;

const perShopperLimit = (maxQtyPerLine: number) =>
  z
    .number()
    .int("must be a whole number")
    .min(1)
    .max(maxQtyPerLine, `must be at most MAX_QTY_PER_LINE (${maxQtyPerLine})`)
    .nullable()
    .optional();
const releaseAt = z.iso
  .datetime({ offset: true, error: "must be an ISO time such as 2026-12-05T10:00:00Z" })
  .transform((at) => new Date(at))
  .nullable()
  .optional();

const atLeastOne = (body: object) => Object.values(body).some((v) => v !== undefined);

/**
 * PATCH /api/admin/products/:id: the product's words, price, picture, address, sale (archived)
 * and its per-shopper limit and drop (null: MAX_QTY_PER_LINE, on sale now). At least one.
 */
export const productEditSchema = (maxQtyPerLine: number) =>
  z
    .strictObject({
      slug: slug.optional(),
      name: name.optional(),
      description: description.optional(),
      priceCents: priceCents.optional(),
      imageUrl: imageUrl.optional(),
      archived: z.boolean().optional(),
      perShopperLimit: perShopperLimit(maxQtyPerLine),
      releaseAt,
    })
    .refine(atLeastOne, {
      error: "give at least one of slug, name, description, priceCents, imageUrl, archived, perShopperLimit, releaseAt",
    });
export type ProductEdit = z.infer<ReturnType<typeof productEditSchema>>;

/** POST /api/admin/products/:id/variants: a new size or colour with its stock. */
export const newVariantSchema = z.strictObject({ option, stock });
export type NewVariant = z.infer<typeof newVariantSchema>;

/** PATCH /api/admin/products/:id/variants/:variantId. At least one. */
export const variantEditSchema = (maxQtyPerLine: number) =>
  z
    .strictObject({
      option: option.optional(),
      priceCents: priceCents.optional(),
      perShopperLimit: perShopperLimit(maxQtyPerLine),
      releaseAt,
    })
    .refine(atLeastOne, { error: "give at least one of option, priceCents, perShopperLimit, releaseAt" });
export type VariantEdit = z.infer<ReturnType<typeof variantEditSchema>>;
