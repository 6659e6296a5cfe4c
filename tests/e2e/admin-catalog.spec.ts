import { expect, test } from "@playwright/test";
import { ADMIN_TOKEN } from "../../playwright.config";

// The operator's catalog over HTTP (issue 27): a product in sizes created, held, archived. The
// product is archived at the end, so the other files' catalog (its count) is as seeded.

const admin = { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` };
type Product = {
  id: number;
  slug: string;
  archivedAt?: string | null;
  variants: { id: number; option: string | null; available: number }[];
};

test("the operator creates a product in sizes, a shopper holds one, and once archived it is neither listed nor holdable", async ({
  request,
}) => {
  const slug = `e2e-runner-${Date.now().toString(36)}`;
  const body = {
    slug,
    name: "E2E runner",
    priceCents: 9_900,
    variants: [
      { option: "EU 42", stock: 2 },
      { option: "EU 43", stock: 1 },
    ],
  };
  const created = await request.post("/api/admin/products", { headers: admin, data: body });
  expect(created.status()).toBe(201);
  const { product } = (await created.json()) as { product: Product };
  expect(product.variants.map((v) => [v.option, v.available])).toEqual([
    ["EU 42", 2],
    ["EU 43", 1],
  ]);
  const shown = (await (await request.get(`/api/products/${slug}`)).json()) as { product: Product };
  expect(shown.product.variants.map((v) => v.id)).toEqual(product.variants.map((v) => v.id));
  expect((await request.post("/api/admin/products", { headers: admin, data: body })).status()).toBe(409);
  const bad = await request.post("/api/admin/products", {
    headers: admin,
    data: { ...body, slug: `${slug}-x`, variants: [{ option: "S", stock: -1 }] },
  });
  expect(bad.status()).toBe(400);
  expect((await request.post("/api/admin/products", { data: body })).status()).toBe(401);

  const [size42, size43] = product.variants as [Product["variants"][0], Product["variants"][0]];
  expect((await request.post("/api/cart/items", { data: { variantId: size42.id, quantity: 1 } })).status()).toBe(200);

  const archived = await request.patch(`/api/admin/products/${product.id}`, {
    headers: admin,
    data: { archived: true },
  });
  expect(archived.status()).toBe(200);
  expect(((await archived.json()) as { product: Product }).product.archivedAt).toEqual(expect.any(String));
  const listed = (await (await request.get("/api/products")).json()) as { products: Product[] };
  expect(listed.products.some((p) => p.id === product.id)).toBe(false);
  const refused = await request.post("/api/cart/items", { data: { variantId: size43.id, quantity: 1 } });
  expect(refused.status()).toBe(410);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("product_archived");
  // The hold made before stays until it ends; the shopper gives it back here.
  expect((await request.delete("/api/cart")).status()).toBeLessThan(300);
});
