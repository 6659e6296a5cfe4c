import { expect, test } from "@playwright/test";
import { servers } from "../../playwright.config";
import { countersOf, expectConserved, inventory } from "./support";

// This server holds carts for 8 seconds.
const base = `http://localhost:${servers.short.port}`;
const PRINT = { slug: "limited-edition-art-print" };

test("the last unit comes back: held for the second shopper until the first one's countdown runs out", async ({
  browser,
  request,
}) => {
  const { available } = await countersOf(request, PRINT.slug, base);
  expect(available).toBe(1);
  const first = await (await browser.newContext({ baseURL: base })).newPage();
  const second = await (await browser.newContext({ baseURL: base })).newPage();
  const name = (await (await request.get(`${base}/api/products/${PRINT.slug}`)).json()).product.name as string;

  await first.goto(`/products/${PRINT.slug}`);
  await first.getByRole("button", { name: `Add ${name} to cart` }).click();
  await expect(first.getByTestId("cart-count")).toHaveText("1");

  await second.goto(`/products/${PRINT.slug}`);
  // Held, not sold: the second shopper is told it may come back, and when; nothing to add meanwhile.
  await expect(second.getByTestId("stock")).toHaveText(
    /^The last one is in a shopper's cart\. Their hold (ends in 0:0\d|is ending now…)\.?$/,
  );
  await expect(second.getByRole("button", { name: `Add ${name} to cart` })).toHaveCount(0);

  // The first shopper is on the checkout step, filling in the form, when the time runs out.
  await first.goto("/cart");
  await expect(first.getByRole("timer")).toBeVisible();
  await first.getByLabel("E-mail").fill("slow@example.com");
  // The countdown reaches zero and the shopper is told what went back, without reloading; the
  // form keeps what was typed but cannot place an order for items no longer held.
  await expect(first.getByTestId("hold-ended")).toContainText(`1 × ${name}`, { timeout: 15_000 });
  await expect(first.getByRole("timer")).toHaveCount(0);
  await expect(first.getByRole("button", { name: "Place order" })).toBeDisabled();
  await expect(first.getByLabel("E-mail")).toHaveValue("slow@example.com");
  await expect(first.getByTestId("cart-count")).toHaveText("0");

  // The second shopper, still on the same page, sees it back in stock.
  await expect(second.getByTestId("stock")).toHaveText("Only 1 left", { timeout: 5_000 });
  await expect(second.getByRole("button", { name: `Add ${name} to cart` })).toBeEnabled();

  const report = await inventory(request, base);
  expectConserved(report);
  expect(report.overdueCarts).toBe(0);
});
