import { expect, test, type Page } from "@playwright/test";
import { servers } from "../../playwright.config";
import { countdownSeconds, countersOf, expectConserved, inventory } from "./support";

// Every action in the pages is a plain HTML form: with JavaScript off, the server action runs and
// the browser lands on a page that shows the result. The ledger moves by exactly what was asked.

const base = `http://localhost:${servers.hold.port}`;
test.use({ javaScriptEnabled: false, baseURL: base });

const reserved = async (page: Page, slug: string) => (await countersOf(page.request, slug, base)).reserved;

test("without JavaScript: add, change quantity, remove, empty, keep the items longer and check out", async ({
  page,
}) => {
  test.setTimeout(90_000);
  const mug = await countersOf(page.request, "enamel-camp-mug", base);
  const tote = await countersOf(page.request, "canvas-tote-bag", base);

  // Add two from the product page: the cart page shows them, with the countdown in the HTML.
  await page.goto("/products/enamel-camp-mug");
  await page.getByLabel("Quantity").fill("2");
  await page.getByRole("button", { name: "Add Enamel Camp Mug to cart" }).click();
  await expect(page).toHaveURL(`${base}/cart`);
  await expect(page.getByTestId("flash")).toContainText("Added 2 × Enamel Camp Mug");
  await expect(page.getByTestId("qty-enamel-camp-mug")).toHaveText("2");
  await expect(page.getByRole("timer")).toBeVisible();
  expect(await countdownSeconds(page)).toBeGreaterThan(0);
  expect(await reserved(page, "enamel-camp-mug")).toBe(mug.reserved + 2);

  // One from a catalog card.
  await page.goto("/");
  await page
    .getByRole("listitem")
    .filter({ hasText: "Canvas Tote Bag" })
    .getByRole("button", { name: "Add Canvas Tote Bag to cart" })
    .click();
  await expect(page).toHaveURL(`${base}/cart`);
  await expect(page.getByTestId("cart-count")).toHaveText("3");
  expect(await reserved(page, "canvas-tote-bag")).toBe(tote.reserved + 1);

  // The steppers and Remove.
  await page.getByRole("button", { name: "Add one more Enamel Camp Mug" }).click();
  await expect(page.getByTestId("qty-enamel-camp-mug")).toHaveText("3");
  expect(await reserved(page, "enamel-camp-mug")).toBe(mug.reserved + 3);
  await page.getByRole("button", { name: "Remove one Enamel Camp Mug" }).click();
  await expect(page.getByTestId("qty-enamel-camp-mug")).toHaveText("2");
  expect(await reserved(page, "enamel-camp-mug")).toBe(mug.reserved + 2);
  await page.getByRole("button", { name: "Remove Canvas Tote Bag from cart" }).click();
  await expect(page.getByTestId("qty-canvas-tote-bag")).toHaveCount(0);
  expect(await reserved(page, "canvas-tote-bag")).toBe(tote.reserved);

  // Keep the items longer: the offer is in the page once the hold is in its warning window.
  const keep = page.getByRole("button", { name: "Keep my items for 25 seconds from now" });
  await expect(async () => {
    await page.reload();
    await expect(keep).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 15_000 });
  const before = Date.parse(
    ((await (await page.request.get("/api/cart")).json()) as { cart: { expiresAt: string } }).cart.expiresAt,
  );
  await keep.click();
  await expect(page.getByTestId("flash")).toContainText("Kept: your items are held for 25 seconds from now.");
  const after = Date.parse(
    ((await (await page.request.get("/api/cart")).json()) as { cart: { expiresAt: string } }).cart.expiresAt,
  );
  expect(after).toBeGreaterThan(before);

  // Check out: the order page, and the two mugs sold.
  await page.getByLabel("E-mail").fill("nojs@example.com");
  await page.getByLabel("Name", { exact: true }).fill("No Script");
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByRole("heading", { name: "Thank you, No Script!" })).toBeVisible();
  const sold = await countersOf(page.request, "enamel-camp-mug", base);
  expect(sold.sold).toBe(mug.sold + 2);
  expect(sold.reserved).toBe(mug.reserved);
  expectConserved(await inventory(page.request, base));
});

test("without JavaScript: emptying the cart returns everything; a refusal says why on the page it came from", async ({
  page,
}) => {
  const dripper = await countersOf(page.request, "pour-over-coffee-dripper", base);
  await page.goto("/products/pour-over-coffee-dripper");
  await page.getByLabel("Quantity").fill("3");
  await page.getByRole("button", { name: "Add Pour-Over Coffee Dripper to cart" }).click();
  await expect(page.getByTestId("qty-pour-over-coffee-dripper")).toHaveText("3");
  expect(await reserved(page, "pour-over-coffee-dripper")).toBe(dripper.reserved + 3);

  // More than one shopper may hold: refused, back on the product page, nothing changed.
  await page.goto("/products/pour-over-coffee-dripper");
  await page.getByLabel("Quantity").fill("8");
  await page.getByRole("button", { name: "Add Pour-Over Coffee Dripper to cart" }).click();
  await expect(page).toHaveURL(`${base}/products/pour-over-coffee-dripper`);
  await expect(page.getByTestId("flash")).toContainText("At most 10 of one item per cart.");
  expect(await reserved(page, "pour-over-coffee-dripper")).toBe(dripper.reserved + 3);

  await page.goto("/cart");
  await page.getByRole("button", { name: "Empty cart" }).click();
  await expect(page.getByTestId("flash")).toContainText("Your cart is empty");
  await expect(page.getByTestId("cart-count")).toHaveText("0");
  expect(await reserved(page, "pour-over-coffee-dripper")).toBe(dripper.reserved);
  // The message was for that page load only.
  await page.reload();
  await expect(page.getByTestId("flash")).toHaveCount(0);
});
