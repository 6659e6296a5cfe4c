import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { servers } from "../../playwright.config";
import { countersOf } from "./support";

// The seeded Trail Running Shoe comes in four sizes, each its own stock: EU 44 has one pair.
const SHOE = "/products/trail-running-shoe";
const size = (option: string) => `trail-running-shoe--${option.toLowerCase().replace(" ", "-")}`;

test("a shopper holds the last EU 44; another sees that size held, the others on sale, and joins EU 44's line", async ({
  browser,
}) => {
  const first = await browser.newContext();
  const holder = await first.newPage();
  await holder.goto(SHOE);
  await expect(holder.getByRole("heading", { level: 1, name: "Trail Running Shoe" })).toBeVisible();
  const sizes = holder.getByRole("group", { name: "Size" });
  await expect(sizes.getByRole("radio")).toHaveCount(4);
  await sizes.getByRole("radio", { name: /EU 44/ }).check();
  await expect(holder).toHaveURL(/\?variant=\d+$/);
  await expect(holder.getByTestId("stock")).toContainText("EU 44: Only 1 left");
  await holder.getByRole("button", { name: "Add Trail Running Shoe — EU 44 to cart" }).click();
  await expect(holder.getByRole("status").filter({ hasText: "Added 1 × Trail Running Shoe — EU 44" })).toBeVisible();
  expect(await countersOf(holder.request, size("EU 44"))).toMatchObject({ available: 0, reserved: 1 });
  // The other sizes did not move.
  expect(await countersOf(holder.request, size("EU 42"))).toMatchObject({ reserved: 0 });

  const second = await browser.newContext();
  const shopper = await second.newPage();
  await shopper.goto(SHOE);
  const theirSizes = shopper.getByRole("group", { name: "Size" });
  await expect(theirSizes.locator("label", { hasText: "EU 44" })).toContainText("The last one is in a shopper's cart");
  await expect(theirSizes.locator("label", { hasText: "EU 42" })).toContainText(/\d+ left/);
  // The page opened on the first size, which can be held; choosing EU 44 offers its line instead.
  await expect(shopper.getByRole("button", { name: "Add Trail Running Shoe — EU 41 to cart" })).toBeVisible();
  await theirSizes.getByRole("radio", { name: /EU 44/ }).check();
  await expect(shopper.getByTestId("stock")).toContainText(/EU 44: The last one is in a shopper's cart/);
  await shopper.getByRole("button", { name: /Join the line/ }).click();
  await expect(shopper.getByTestId("in-line")).toContainText("You're 1st in line");

  await first.close();
  await second.close();
});

test("without JavaScript: a shopper chooses the held size and joins its line", async ({ browser }) => {
  // EU 44's only pair is still in the first test's holder's cart, and one shopper waits for it.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(SHOE);
  await page.getByRole("group", { name: "Size" }).getByRole("radio", { name: /EU 44/ }).check();
  await page.getByRole("button", { name: "Show this size" }).click();
  await expect(page.getByTestId("stock")).toContainText("EU 44: The last one is in a shopper's cart");
  await page.getByRole("button", { name: /^Join the line for Trail Running Shoe — EU 44/ }).click();
  await expect(page).toHaveURL(/\/products\/trail-running-shoe\?variant=\d+$/);
  await expect(page.getByTestId("flash")).toHaveText("You joined the line for the Trail Running Shoe — EU 44.");
  await expect(page.getByTestId("in-line")).toContainText("You're 2nd in line");
  await context.close();
});

test("taking the last of the size a page opened on keeps that size chosen", async ({ page }) => {
  await page.goto(SHOE);
  // Opened on the first size (EU 41, 6 pairs).
  const sizes = page.getByRole("group", { name: "Size" });
  await expect(sizes.getByRole("radio", { name: /EU 41/ })).toBeChecked();
  const left = (await countersOf(page.request, size("EU 41"))).available;
  await page.getByLabel("Quantity").fill(String(left));
  await page.getByRole("button", { name: "Add Trail Running Shoe — EU 41 to cart" }).click();
  await expect(page.getByTestId("cart-count")).toHaveText(String(left));
  // The page is the same size's after the add: its radio, its stock line, no other size's button.
  await expect(sizes.getByRole("radio", { name: /EU 41/ })).toBeChecked();
  await expect(page.getByTestId("stock")).toContainText(`EU 41: All ${left} are in your cart.`);
  await expect(page.getByRole("button", { name: /Add Trail Running Shoe — EU 4[234] to cart/ })).toHaveCount(0);
});

test("without JavaScript: choose a size, add it, and the cart says which", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(SHOE);
  const before = await countersOf(page.request, size("EU 42"));
  await page.getByRole("group", { name: "Size" }).getByRole("radio", { name: /EU 42/ }).check();
  await page.getByRole("button", { name: "Show this size" }).click();
  await expect(page.getByTestId("stock")).toContainText(/EU 42: \d+ left/);
  await page.getByRole("button", { name: "Add Trail Running Shoe — EU 42 to cart" }).click();
  await expect(page).toHaveURL(/\/cart$/);
  await expect(page.getByTestId("flash")).toContainText("Added 1 × Trail Running Shoe — EU 42");
  expect(await countersOf(page.request, size("EU 42"))).toMatchObject({ reserved: before.reserved + 1 });
  // The cart line leads back to the product, with its size chosen.
  await page.getByRole("link", { name: "Trail Running Shoe — EU 42" }).first().click();
  await expect(page).toHaveURL(/\/products\/trail-running-shoe\?variant=\d+$/);
  await expect(page.getByRole("group", { name: "Size" }).getByRole("radio", { name: /EU 42/ })).toBeChecked();
  await context.close();
});

test("the product page with sizes has no serious or critical violation, on a phone too", async ({ browser }) => {
  for (const viewport of [
    { width: 1280, height: 900 },
    { width: 390, height: 844 },
  ]) {
    const context = await browser.newContext({ viewport, baseURL: `http://localhost:${servers.main.port}` });
    const page = await context.newPage();
    await page.goto(SHOE);
    await expect(page.getByRole("group", { name: "Size" })).toBeVisible();
    const { violations } = await new AxeBuilder({ page })
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
      .analyze();
    expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
    await context.close();
  }
});
