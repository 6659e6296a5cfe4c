"use client";

import { useActionState, useState, type ChangeEvent, type ReactNode } from "react";
import { busy } from "@/components/busy";
import { useInBrowser } from "@/components/product/in-browser";
import { createProductAction, editProductAction, type CatalogFormState } from "./catalog-actions";
import { DropTime, localInputValue } from "./drop-forms";

export const inputClass =
  "w-full rounded-md border border-stone-400 bg-white px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-stone-900";
export const labelClass = "block text-sm font-medium text-stone-800";
export const hintClass = "text-xs text-stone-600";
export const primaryButton =
  "rounded-md bg-stone-900 px-4 py-2 text-sm font-semibold text-white hover:bg-stone-700 aria-disabled:opacity-60";
export const secondaryButton =
  "rounded-md border border-stone-400 bg-white px-3 py-2 text-sm font-medium hover:bg-stone-100 aria-disabled:opacity-60";

/** The upload's limits, as the server's lib/catalog/product-images.ts sets them. */
export type ImageLimits = { maxBytes: number; maxText: string };

const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"];

/** A form's answer, read aloud when it comes: a refusal in red, a note in green. */
export function FormAnswer({ id, state }: { id: string; state: CatalogFormState }) {
  return (
    <p
      id={id}
      role="status"
      className={`min-h-5 text-sm font-medium ${state.error ? "text-red-700" : "text-emerald-800"}`}
    >
      {state.error ?? state.note ?? ""}
    </p>
  );
}

function Field({ id, label, hint, children }: { id: string; label: string; hint?: string; children: ReactNode }) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      {children}
      {hint && (
        <p id={`${id}-hint`} className={hintClass}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** The picture: a file (checked in the browser at once, and by its bytes on the server) or an address. */
function PictureFields({ prefix, limits, address }: { prefix: string; limits: ImageLimits; address: string }) {
  const [problem, setProblem] = useState("");
  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const file = input.files?.[0];
    const found = !file
      ? ""
      : !IMAGE_TYPES.includes(file.type)
        ? "Choose a PNG, JPEG, WebP or GIF image (not SVG)."
        : file.size > limits.maxBytes
          ? `This file is ${Math.ceil(file.size / 1024)} KB: at most ${limits.maxText}.`
          : "";
    input.setCustomValidity(found);
    setProblem(found);
  };
  return (
    <fieldset className="space-y-3 rounded-md border border-stone-200 p-3">
      <legend className="px-1 text-sm font-semibold text-stone-800">Picture</legend>
      <Field
        id={`${prefix}-image`}
        label="Upload a picture"
        hint={`PNG, JPEG, WebP or GIF, at most ${limits.maxText}.`}
      >
        <input
          id={`${prefix}-image`}
          name="image"
          type="file"
          accept={IMAGE_TYPES.join(",")}
          onChange={onFile}
          aria-describedby={`${prefix}-image-hint ${prefix}-image-problem`}
          aria-invalid={problem ? true : undefined}
          className="block w-full text-sm file:mr-3 file:rounded-md file:border file:border-stone-400 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium hover:file:bg-stone-100"
        />
        <p id={`${prefix}-image-problem`} role="status" className="text-xs font-medium text-red-700">
          {problem}
        </p>
      </Field>
      <Field
        id={`${prefix}-image-url`}
        label="Or the picture's address"
        hint="A path of the site (/products/x.svg) or an https:// address."
      >
        <input
          id={`${prefix}-image-url`}
          name="imageUrl"
          type="text"
          inputMode="url"
          defaultValue={address}
          aria-describedby={`${prefix}-image-url-hint`}
          className={inputClass}
        />
      </Field>
    </fieldset>
  );
}

type Values = Record<string, string>;

/** The fields a product is created and edited with. */
function ProductFields({
  prefix,
  values,
  limits,
  variants,
  releaseInitial,
}: {
  prefix: string;
  values: Values;
  limits: ImageLimits;
  /** Only when creating: the variants and their stock (an edit adds a size on its own). */
  variants: boolean;
  releaseInitial: string;
}) {
  const inBrowser = useInBrowser();
  const zone = inBrowser ? Intl.DateTimeFormat().resolvedOptions().timeZone : "UTC";
  const v = (name: string) => values[name] ?? "";
  return (
    <>
      <fieldset className="grid gap-3 rounded-md border border-stone-200 p-3 sm:grid-cols-2">
        <legend className="px-1 text-sm font-semibold text-stone-800">Product</legend>
        <Field id={`${prefix}-name`} label="Name">
          <input
            id={`${prefix}-name`}
            name="name"
            required
            maxLength={200}
            defaultValue={v("name")}
            className={inputClass}
          />
        </Field>
        <Field
          id={`${prefix}-slug`}
          label="Slug"
          hint="Its address: /products/<slug>. Lowercase letters, digits, dashes."
        >
          <input
            id={`${prefix}-slug`}
            name="slug"
            required
            maxLength={200}
            pattern="[a-z0-9][a-z0-9\-]*"
            defaultValue={v("slug")}
            aria-describedby={`${prefix}-slug-hint`}
            className={inputClass}
          />
        </Field>
        <Field id={`${prefix}-price`} label="Price (USD)" hint="Such as 49.00.">
          <input
            id={`${prefix}-price`}
            name="price"
            required
            inputMode="decimal"
            pattern="\d{1,6}([.,]\d{1,2})?"
            defaultValue={v("price")}
            aria-describedby={`${prefix}-price-hint`}
            className={inputClass}
          />
        </Field>
        <div className="sm:col-span-2">
          <Field id={`${prefix}-description`} label="Description">
            <textarea
              id={`${prefix}-description`}
              name="description"
              rows={3}
              maxLength={5000}
              defaultValue={v("description")}
              className={inputClass}
            />
          </Field>
        </div>
      </fieldset>
      <PictureFields prefix={prefix} limits={limits} address={v("imageUrl")} />
      {variants && (
        <fieldset className="rounded-md border border-stone-200 p-3">
          <legend className="px-1 text-sm font-semibold text-stone-800">Sizes and stock</legend>
          <Field
            id={`${prefix}-variants`}
            label="Options and stock, one per line"
            hint={`"option: stock", such as "EU 42: 3". A single line with only the stock ("20") is a product sold as one thing.`}
          >
            <textarea
              id={`${prefix}-variants`}
              name="variants"
              rows={4}
              required
              defaultValue={v("variants")}
              aria-describedby={`${prefix}-variants-hint`}
              className={`${inputClass} font-mono`}
            />
          </Field>
        </fieldset>
      )}
      <fieldset className="grid gap-3 rounded-md border border-stone-200 p-3 sm:grid-cols-2">
        <legend className="px-1 text-sm font-semibold text-stone-800">Sale</legend>
        <Field id={`${prefix}-limit`} label="Limit per shopper" hint="Units one shopper may hold. Empty: no limit.">
          <input
            id={`${prefix}-limit`}
            name="limit"
            type="number"
            min={1}
            step={1}
            defaultValue={v("limit")}
            aria-describedby={`${prefix}-limit-hint`}
            className={inputClass}
          />
        </Field>
        <Field
          id={`${prefix}-release`}
          label={`Release time (${zone})`}
          hint="Empty: on sale at once. A drop: nobody can hold it before then."
        >
          <input type="hidden" name="releaseAtWas" value={releaseInitial} />
          <div className="[&>input]:w-full [&>input]:py-2">
            <DropTime
              key={inBrowser ? "local" : "utc"}
              id={`${prefix}-release`}
              initial={releaseInitial}
              inBrowser={inBrowser}
            />
          </div>
        </Field>
      </fieldset>
    </>
  );
}

/** A new product: its words, price, picture, variants with their stock, limit and drop. */
export function CreateProductForm({ limits }: { limits: ImageLimits }) {
  const [state, action, pending] = useActionState<CatalogFormState, FormData>(createProductAction, {});
  return (
    <form
      key={state.at ?? 0}
      action={action}
      aria-labelledby="new-product-heading"
      className="space-y-4 rounded-lg border border-stone-200 bg-white p-4"
    >
      <h3 id="new-product-heading" className="text-lg font-semibold">
        New product
      </h3>
      <ProductFields prefix="new" values={state.values ?? {}} limits={limits} variants releaseInitial="" />
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" {...busy(pending)} className={primaryButton}>
          Create product
        </button>
        <FormAnswer id="new-product-answer" state={state} />
      </div>
    </form>
  );
}

/** What an edit form starts from: the product as the admin API answers it. */
export type EditableProduct = {
  id: number;
  name: string;
  slug: string;
  description: string;
  priceCents: number;
  imageUrl: string;
  perShopperLimit: number | null;
  /** A drop not yet opened. */
  releaseAt: string | null;
};

/** Edits a product's words, price, picture, limit and drop. */
export function EditProductForm({ product, limits }: { product: EditableProduct; limits: ImageLimits }) {
  const [state, action, pending] = useActionState<CatalogFormState, FormData>(editProductAction, {});
  const inBrowser = useInBrowser();
  const prefix = `edit-${product.id}`;
  const release = product.releaseAt
    ? inBrowser
      ? localInputValue(product.releaseAt)
      : product.releaseAt.slice(0, 16)
    : "";
  const limit = product.perShopperLimit === null ? "" : String(product.perShopperLimit);
  const values: Values = state.values ?? {
    name: product.name,
    slug: product.slug,
    description: product.description,
    price: (product.priceCents / 100).toFixed(2),
    imageUrl: product.imageUrl,
    limit,
  };
  return (
    <form
      key={`${state.at ?? 0}-${inBrowser}`}
      action={action}
      aria-label={`Edit ${product.name}`}
      className="space-y-4"
    >
      <input type="hidden" name="productId" value={product.id} />
      <input type="hidden" name="imageUrlWas" value={product.imageUrl} />
      <input type="hidden" name="limitWas" value={limit} />
      <ProductFields prefix={prefix} values={values} limits={limits} variants={false} releaseInitial={release} />
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" {...busy(pending)} className={primaryButton}>
          Save {product.name}
        </button>
        <FormAnswer id={`${prefix}-answer`} state={state} />
      </div>
    </form>
  );
}
