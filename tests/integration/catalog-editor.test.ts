import { describe, expect, it } from "vitest";
import { POST as createRoute } from "@/app/api/admin/products/route";
import { PATCH as editRoute } from "@/app/api/admin/products/[id]/route";
import { POST as addVariantRoute } from "@/app/api/admin/products/[id]/variants/route";
import { PATCH as editVariantRoute } from "@/app/api/admin/products/[id]/variants/[variantId]/route";
import { receiveStock } from "@/lib/admin/restock";
import { config } from "@/lib/base/config";
import { ShopError } from "@/lib/base/shop-error";
import { addToCart, setLineQuantity } from "@/lib/cart/mutations";
import { findProductBySlug, listProducts } from "@/lib/catalog/catalog-listing";
import { pg } from "@/lib/db/client";
import { releaseCart } from "@/lib/hold/release";
import { joinWaitlist } from "@/lib/waitlist/entries";
import { backdateCart, countersOf, ledgerViolations } from "../support/ledger";

type Answer = { status: number; body: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

const call = async (
  handler: (request: Request, context: never) => Promise<Response>,
  method: string,
  path: string,
  body: unknown,
  params: Record<string, string> = {},
): Promise<Answer> => {
  const response = await handler(
    new Request(`http://localhost:3000${path}`, {
      method,
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${config().adminToken}`,
      },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve(params) } as never,
  );
  return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

const create = (body: unknown) => call(createRoute, "POST", "/api/admin/products", body);
const edit = (id: number, body: unknown) =>
  call(editRoute, "PATCH", `/api/admin/products/${id}`, body, { id: String(id) });
const rowCount = async () => (await pg()<{ n: number }[]>`select count(*)::int as n from products`)[0]?.n;
const slug = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}`;
let shopper = 0;
const caller = (cartId: string | null = null) => ({ cartId, clientIp: `198.51.100.${++shopper}` });

describe("the operator's catalog through the admin API", () => {
  it("creates a product in 3 sizes in one go, read back as GET /api/products/:slug reads it", async () => {
    const runner = slug("trail-runner");
    const created = await create({
      slug: runner,
      name: "Trail runner",
      description: "Light.",
      priceCents: 12_900,
      variants: [
        { option: "EU 41", stock: 3 },
        { option: "EU 42", stock: 5 },
        { option: "EU 43", stock: 0 },
      ],
    });
    expect(created.status).toBe(201);
    const read = await findProductBySlug(runner);
    expect(read).toMatchObject({ slug: runner, name: "Trail runner", available: 8, priceCents: 12_900 });
    expect(read?.imageUrl).toBe("/products/placeholder.svg");
    expect(read?.variants.map((v) => [v.option, v.available, v.priceCents])).toEqual([
      ["EU 41", 3, 12_900],
      ["EU 42", 5, 12_900],
      ["EU 43", 0, 12_900],
    ]);
    expect(created.body.product).toMatchObject({ id: read?.id, archivedAt: null, available: 8 });
    expect(created.body.product.variants.map((v: { id: number }) => v.id)).toEqual(read?.variants.map((v) => v.id));
    // The product holds no stock; each size its own.
    for (const v of read?.variants ?? []) expect((await countersOf(v.id)).onHand).toBe(v.available);
    const [own] = await pg()`select 1 from inventory where product_id = ${read?.id ?? 0}`;
    expect(own).toBeUndefined();

    const single = await create({ slug: slug("mug"), name: "Mug", priceCents: 900, variants: [{ stock: 4 }] });
    expect(single.status).toBe(201);
    expect(single.body.product.variants).toEqual([
      expect.objectContaining({ id: single.body.product.id, option: null }),
    ]);
    expect(await countersOf(single.body.product.id)).toEqual({ onHand: 4, available: 4, reserved: 0, sold: 0 });
  });

  it("refuses a taken slug (409 slug_taken) and bad input (400), creating nothing", async () => {
    const taken = slug("tote");
    expect((await create({ slug: taken, name: "Tote", priceCents: 100, variants: [{ stock: 1 }] })).status).toBe(201);
    const before = await rowCount();
    const again = await create({ slug: taken, name: "Other", priceCents: 100, variants: [{ option: "S", stock: 1 }] });
    expect(again).toMatchObject({ status: 409, body: { error: { code: "slug_taken" } } });
    const bad: unknown[] = [
      { slug: slug("a"), name: "A", priceCents: 100, variants: [{ option: "S", stock: -1 }] },
      {
        slug: slug("b"),
        name: "B",
        priceCents: 100,
        variants: [
          { option: "S", stock: 1 },
          { option: " s ", stock: 1 },
        ],
      },
      {
        slug: slug("c"),
        name: "C",
        priceCents: 100,
        variants: [
          { option: "S", stock: 1 },
          { option: "", stock: 1 },
        ],
      },
      { slug: "Not A Slug", name: "D", priceCents: 100, variants: [{ stock: 1 }] },
      { slug: slug("e"), name: "E", priceCents: -1, variants: [{ stock: 1 }] },
      { slug: slug("f"), name: "F", priceCents: 1.5, variants: [{ stock: 1 }] },
      { slug: slug("g"), name: " ", priceCents: 100, variants: [{ stock: 1 }] },
      { slug: slug("h"), name: "H", priceCents: 100, variants: [] },
      { slug: slug("i"), name: "I", priceCents: 100, imageUrl: "javascript:alert(1)", variants: [{ stock: 1 }] },
    ];
    for (const body of bad) {
      expect(await create(body)).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
    }
    expect(await rowCount()).toBe(before);
  });

  it("adds a size, edits a size and the product's words and price; a product sold as one thing gains none", async () => {
    const { body } = await create({
      slug: slug("beanie"),
      name: "Beanie",
      priceCents: 2_000,
      variants: [{ option: "S", stock: 1 }],
    });
    const id: number = body.product.id;
    const added = await call(
      addVariantRoute,
      "POST",
      `/api/admin/products/${id}/variants`,
      { option: "M", stock: 6 },
      { id: String(id) },
    );
    expect(added.status).toBe(201);
    expect(added.body.variant).toMatchObject({ option: "M", available: 6, priceCents: 2_000 });
    expect(
      (
        await call(
          addVariantRoute,
          "POST",
          `/api/admin/products/${id}/variants`,
          { option: "m", stock: 1 },
          { id: String(id) },
        )
      ).body,
    ).toMatchObject({ error: { code: "option_taken" } });
    const medium: number = added.body.variant.id;
    expect(await receiveStock(medium, 4)).toMatchObject({ id: medium, onHand: 10, available: 10 });

    const newSlug = slug("wool-beanie");
    const edited = await edit(id, { name: "Wool beanie", priceCents: 2_500, slug: newSlug, description: "Warm." });
    expect(edited.status).toBe(200);
    const read = await findProductBySlug(newSlug);
    expect(read).toMatchObject({ id, name: "Wool beanie", priceCents: 2_500, description: "Warm." });
    expect(read?.variants.map((v) => [v.option, v.priceCents, v.available])).toEqual([
      ["S", 2_500, 1],
      ["M", 2_500, 10],
    ]);
    const names = await pg()<{ name: string }[]>`select name from products where parent_id = ${id} order by id`;
    expect(names.map((n) => n.name)).toEqual(["Wool beanie — S", "Wool beanie — M"]);

    const sized = await call(
      editVariantRoute,
      "PATCH",
      `/api/admin/products/${id}/variants/${medium}`,
      { option: "L", priceCents: 2_700, perShopperLimit: 2 },
      { id: String(id), variantId: String(medium) },
    );
    expect(sized.body.product.variants[1]).toMatchObject({
      id: medium,
      option: "L",
      priceCents: 2_700,
      perShopperLimit: 2,
    });
    expect(
      (await edit(id, { perShopperLimit: 3 })).body.product.variants.map(
        (v: { perShopperLimit: number }) => v.perShopperLimit,
      ),
    ).toEqual([3, 3]);

    // A drop set on the product is every variant's; the product itself holds no stock to restock.
    const drop = await edit(id, { releaseAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(drop.body.product.variants.every((v: { releaseAt: string | null }) => v.releaseAt !== null)).toBe(true);
    expect(await addToCart(caller(), medium, 1).catch((e: ShopError) => e.code)).toBe("not_released");
    expect(await receiveStock(id, 1).catch((e: ShopError) => e.code)).toBe("variant_required");
    await edit(id, { releaseAt: null });

    const single = (await create({ slug: slug("lamp"), name: "Lamp", priceCents: 100, variants: [{ stock: 1 }] })).body
      .product.id as number;
    const refused = await call(
      addVariantRoute,
      "POST",
      `/api/admin/products/${single}/variants`,
      { option: "Blue", stock: 1 },
      { id: String(single) },
    );
    expect(refused).toMatchObject({ status: 409, body: { error: { code: "not_in_variants" } } });
    expect((await edit(single, { slug: newSlug })).body).toMatchObject({ error: { code: "slug_taken" } });
    // A variant's id is not a product's.
    expect((await edit(medium, { name: "X" })).status).toBe(404);
  });

  it("archived: not listed, adds and joins refused; a hold made before runs out and the ledger stays exact", async () => {
    const { body } = await create({
      slug: slug("print"),
      name: "Print",
      priceCents: 5_000,
      variants: [
        { option: "A3", stock: 2 },
        { option: "A2", stock: 1 },
      ],
    });
    const id: number = body.product.id;
    const [a3, a2] = (body.product.variants as { id: number }[]).map((v) => v.id) as [number, number];
    const holder = await addToCart(caller(), a3, 1);
    await addToCart({ cartId: holder.cartId, clientIp: "198.51.100.200" }, a2, 1);
    const waiter = { waiterId: crypto.randomUUID(), clientKey: "198.51.100.201", cartId: null };
    await joinWaitlist(waiter, a2, 1);

    const archived = await edit(id, { archived: true });
    expect(archived.body.product.archivedAt).toEqual(expect.any(String));
    expect((await listProducts()).some((p) => p.id === id)).toBe(false);
    const refusal = (work: Promise<unknown>) =>
      work.then(
        () => "held",
        (e: unknown) => (e instanceof ShopError ? e.code : String(e)),
      );
    expect(await refusal(addToCart(caller(), a3, 1))).toBe("product_archived"); // a lone new cart
    expect(await refusal(addToCart({ cartId: holder.cartId, clientIp: "198.51.100.200" }, a3, 1))).toBe(
      "product_archived",
    ); // a batch
    expect(
      await refusal(joinWaitlist({ ...waiter, waiterId: crypto.randomUUID(), clientKey: "198.51.100.202" }, a3, 1)),
    ).toBe("product_archived");
    // Its line ended: nobody waits for a unit that would come back.
    const [left] = await pg()<
      { n: number }[]
    >`select count(*)::int as n from waitlist_entries where product_id = ${a2}`;
    expect(left?.n).toBe(0);
    // A line of it may still shrink; the hold made before runs out and its units come back.
    await setLineQuantity(holder.cartId, a2, 0);
    await backdateCart(holder.cartId);
    await releaseCart(holder.cartId, "sweep");
    expect(await countersOf(a3)).toEqual({ onHand: 2, available: 2, reserved: 0, sold: 0 });
    expect(await countersOf(a2)).toEqual({ onHand: 1, available: 1, reserved: 0, sold: 0 });
    expect(await ledgerViolations()).toEqual([]);

    // Back on sale: listed and holdable again.
    expect((await edit(id, { archived: false })).body.product.archivedAt).toBeNull();
    expect((await listProducts()).some((p) => p.id === id)).toBe(true);
    expect(await refusal(addToCart(caller(), a3, 1))).toBe("held");
    expect(await ledgerViolations()).toEqual([]);
  });
});
