"use server";

import { z } from "zod";
import { currentAdminUntil } from "@/lib/admin/admin-session";
import { ShopError } from "@/lib/base/shop-error";
import { config } from "@/lib/base/config";
import { productIdSchema } from "@/lib/cart/schemas";
import { createProduct, editProduct } from "@/lib/catalog/catalog-editor";
import { newProductSchema, newVariantSchema, productEditSchema, type ProductEdit } from "@/lib/catalog/catalog-input";
import { deleteImage, readUpload, storeImage } from "@/lib/catalog/product-images";
import { addVariant } from "@/lib/catalog/variant-editor";
import { postedForm } from "@/lib/http/posted-form";
import { parseAction, runAction, type ActionWording } from "@/lib/http/server-action";

/**
 * The operator's catalog in /admin: create a product (sold as one thing or in variants, with an
 * uploaded picture or an address), edit one, add a size, archive or put back. Each parses with
 * the admin API's own schemas (lib/catalog/catalog-input.ts) and answers through the one adapter
 * (lib/http/server-action.ts); a plain form without JavaScript gets the same answer on the page.
 */

export type CatalogFormState = {
  error?: string;
  note?: string;
  /** The fields as sent, so a refused form keeps what the operator typed (the file aside). */
  values?: Record<string, string>;
  /** When the answer came: a new answer renews the form's fields. */
  at?: number;
};

const sessionEnded = (): CatalogFormState => ({ error: "Your admin session has ended: sign in again." });

const TEXT_FIELDS = [
  "name",
  "slug",
  "description",
  "price",
  "imageUrl",
  "variants",
  "limit",
  "releaseAt",
  "option",
  "stock",
];

function keptValues(form: FormData): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of TEXT_FIELDS) {
    const value = form.get(name);
    if (typeof value === "string") kept[name] = value.slice(0, 10_000);
  }
  return kept;
}

const text = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

const LABELS: Record<string, string> = {
  slug: "Slug",
  name: "Name",
  description: "Description",
  priceCents: "Price",
  imageUrl: "Picture address",
  variants: "Sizes and stock",
  perShopperLimit: "Limit per shopper",
  releaseAt: "Release time",
  option: "Option",
  stock: "Stock",
};

/** "variants.1.option: must not be empty" as the form says it: "Sizes and stock, line 2: option must not be empty". */
const wording = (lines: readonly number[] = []): ActionWording => ({
  invalid_request: ({ field, issue }) => {
    const [head = "", index, part] = field.split(".");
    if (head === "variants" && index !== undefined) {
      return `Sizes and stock, line ${lines[Number(index)] ?? Number(index) + 1}: ${part ? `${LABELS[part] ?? part} ` : ""}${issue ?? "is invalid"}.`;
    }
    return `${LABELS[head] ?? (head || "The form")}: ${issue ?? "is invalid"}.`;
  },
});

/** "49", "49.5", "49.50" → cents; anything else is refused in the form's words. */
function priceCents(raw: string): number {
  const match = /^\s*(\d{1,6})(?:[.,](\d{1,2}))?\s*$/.exec(raw);
  if (!match) throw new ShopError("invalid_request", "Price: enter an amount such as 49.00.");
  return Number(match[1]) * 100 + Number((match[2] ?? "0").padEnd(2, "0"));
}

/**
 * The variants textarea: one "option: stock" per line ("EU 42: 3"); a line with the stock alone
 * is a product sold as one thing. Blank lines are skipped; `lines` keeps each variant's line number.
 */
function readVariants(raw: string): { variants: { option?: string; stock: number }[]; lines: number[] } {
  const variants: { option?: string; stock: number }[] = [];
  const lines: number[] = [];
  raw.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    const colon = line.lastIndexOf(":");
    const option = colon === -1 ? "" : line.slice(0, colon).trim();
    const stock = (colon === -1 ? line : line.slice(colon + 1)).trim();
    if (!/^\d{1,7}$/.test(stock)) {
      throw new ShopError(
        "invalid_request",
        `Sizes and stock, line ${i + 1}: write "option: stock", such as "EU 42: 3" (or only the stock, for a product sold as one thing).`,
      );
    }
    variants.push({ ...(option ? { option } : {}), stock: Number(stock) });
    lines.push(i + 1);
  });
  return { variants, lines };
}

/**
 * The uploaded file, if one was chosen. A file input left empty still sends an empty file (named
 * "" by a plain form, otherwise by React's encoding): an empty file is no picture.
 */
function chosenFile(form: FormData): File | null {
  const file = form.get("image");
  return file instanceof File && file.size > 0 ? file : null;
}

/**
 * The release time the form sent: the browser's exact time (`releaseAtIso`), or without
 * JavaScript the datetime-local value read as UTC (the form says so). Undefined when empty.
 */
function releaseTime(form: FormData): string | undefined {
  const iso = text(form, "releaseAtIso");
  const local = text(form, "releaseAt");
  if (!iso && !local) return undefined;
  const at = new Date(iso || (/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(local) ? `${local}:00Z` : ""));
  if (Number.isNaN(at.getTime())) throw new ShopError("invalid_request", "Release time: enter a date and time.");
  if (at.getTime() <= Date.now()) {
    throw new ShopError("invalid_request", "Release time: choose a time in the future (or leave it empty).");
  }
  return at.toISOString();
}

/** The limit field: a whole number, or undefined when empty. */
function limit(form: FormData): number | string | undefined {
  const raw = text(form, "limit").trim();
  if (raw === "") return undefined;
  return /^\d{1,7}$/.test(raw) ? Number(raw) : raw;
}

/** A picture from the form: the uploaded file (checked, then stored) or the address typed; never both. */
async function picture(form: FormData, address: string | undefined): Promise<{ url?: string; storedId?: string }> {
  const file = chosenFile(form);
  if (!file) return address ? { url: address } : {};
  if (address) {
    throw new ShopError("invalid_request", "Picture: upload a file or give an address, not both.");
  }
  const stored = await storeImage(await readUpload(file));
  return { url: stored.url, storedId: stored.id };
}

/** Runs a change with the picture stored first; a refused change leaves no picture behind. */
async function withPicture<T>(stored: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (stored) await deleteImage(stored);
    throw error;
  }
}

const answer = (
  result: { ok: true; note: string } | { ok: false; error: { message: string } },
  form: FormData,
): CatalogFormState =>
  result.ok
    ? { note: result.note, at: Date.now() }
    : { error: result.error.message, values: keptValues(form), at: Date.now() };

/** Creates a product with its variants' stock, its picture, and its limit and drop when given. */
export async function createProductAction(_previous: CatalogFormState, form: FormData): Promise<CatalogFormState> {
  postedForm(form); // anything but a form: 404
  if ((await currentAdminUntil()) === null) return sessionEnded();
  const result = await runAction(
    async () => {
      const { variants, lines } = readVariants(text(form, "variants"));
      const address = text(form, "imageUrl").trim() || undefined;
      const input = parseAction(
        newProductSchema,
        {
          name: text(form, "name"),
          slug: text(form, "slug").trim(),
          description: text(form, "description"),
          priceCents: priceCents(text(form, "price")),
          ...(address ? { imageUrl: address } : {}),
          variants,
        },
        wording(lines),
      );
      const settings = parseAction(
        productEditSchema(config().maxQtyPerLine),
        { perShopperLimit: limit(form), releaseAt: releaseTime(form), name: input.name },
        wording(),
      );
      // Checked before anything is stored: a bad picture stores nothing, a refused product no picture.
      const { url, storedId } = await picture(form, address);
      const product = await withPicture(storedId, () => createProduct({ ...input, imageUrl: url }));
      const { perShopperLimit, releaseAt } = settings;
      if (perShopperLimit !== undefined || releaseAt !== undefined) {
        await editProduct(product.id, { perShopperLimit, releaseAt });
      }
      const sold = product.variants.length === 1 && product.variants[0]?.option === null;
      return {
        note: `Created ${product.name} at /products/${product.slug}${sold ? "" : ` in ${product.variants.length} variants`}.`,
      };
    },
    { refresh: true },
  );
  return answer(result, form);
}

/** Edits a product's words, price, picture, and (when changed) its limit and drop. */
export async function editProductAction(_previous: CatalogFormState, form: FormData): Promise<CatalogFormState> {
  postedForm(form); // anything but a form: 404
  if ((await currentAdminUntil()) === null) return sessionEnded();
  const result = await runAction(
    async () => {
      const id = parseAction(z.coerce.number().pipe(productIdSchema), text(form, "productId"));
      const address = text(form, "imageUrl").trim();
      const changedAddress = address && address !== text(form, "imageUrlWas") ? address : undefined;
      const limitSent = text(form, "limit").trim() !== text(form, "limitWas");
      const edit: ProductEdit = parseAction(
        productEditSchema(config().maxQtyPerLine),
        {
          name: text(form, "name"),
          slug: text(form, "slug").trim(),
          description: text(form, "description"),
          priceCents: priceCents(text(form, "price")),
          ...(changedAddress ? { imageUrl: changedAddress } : {}),
          ...(limitSent ? { perShopperLimit: limit(form) ?? null } : {}),
          releaseAt: text(form, "releaseAt") === text(form, "releaseAtWas") ? undefined : releaseTime(form),
        },
        wording(),
      );
      const { url, storedId } = await picture(form, changedAddress);
      const product = await withPicture(storedId, () =>
        editProduct(id, { ...edit, ...(url ? { imageUrl: url } : {}) }),
      );
      return { note: `Saved ${product.name}.` };
    },
    { refresh: true },
  );
  return answer(result, form);
}

/** Adds a size or colour with its stock to a product offered in variants. */
export async function addVariantAction(_previous: CatalogFormState, form: FormData): Promise<CatalogFormState> {
  postedForm(form); // anything but a form: 404
  if ((await currentAdminUntil()) === null) return sessionEnded();
  const result = await runAction(
    async () => {
      const id = parseAction(z.coerce.number().pipe(productIdSchema), text(form, "productId"));
      const stock = text(form, "stock").trim();
      const input = parseAction(
        newVariantSchema,
        { option: text(form, "option"), stock: /^\d{1,7}$/.test(stock) ? Number(stock) : stock },
        wording(),
      );
      const { variant } = await addVariant(id, input);
      return { note: `Added ${variant.option ?? input.option} with ${variant.available} in stock.` };
    },
    { refresh: true },
  );
  return answer(result, form);
}

/** Takes a product off sale, or puts it back (holds in flight run out as any hold). */
export async function archiveProductAction(_previous: CatalogFormState, form: FormData): Promise<CatalogFormState> {
  postedForm(form); // anything but a form: 404
  if ((await currentAdminUntil()) === null) return sessionEnded();
  const result = await runAction(
    async () => {
      const id = parseAction(z.coerce.number().pipe(productIdSchema), text(form, "productId"));
      const archived = text(form, "archived") === "true";
      const product = await editProduct(id, { archived });
      return { note: archived ? `${product.name} is archived: off sale.` : `${product.name} is on sale again.` };
    },
    { refresh: true },
  );
  return answer(result, form);
}
