import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { servers } from "../../playwright.config";

// axe-core on every page a shopper goes through: no serious or critical violation.

async function expectAccessible(page: Page, what: string): Promise<void> {
  // After an action the page is re-rendered and its <title> streams in with the new render (Next's
  // streaming metadata): judged once it is there, as a shopper's tab shows it a moment later.
  await expect(page).toHaveTitle(/\S/);
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  const grave = violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(grave, what).toEqual([]);
}

test("catalog, product, cart, checkout with errors and the order page have no serious or critical violation", async ({
  page,
}) => {
  await page.goto("/");
  await expectAccessible(page, "catalog");

  await page.goto("/products/leather-notebook");
  await expectAccessible(page, "product");
  await page.getByRole("button", { name: "Add Leather Notebook to cart" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Added 1 × Leather Notebook" })).toBeVisible();
  await expectAccessible(page, "product after adding");

  await page.goto("/cart");
  await expect(page.getByRole("timer")).toBeVisible();
  await expectAccessible(page, "cart");

  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByText("Enter a valid e-mail address.")).toBeVisible();
  await expect(page.getByLabel("E-mail")).toBeFocused();
  await expectAccessible(page, "checkout with errors");

  await page.getByLabel("E-mail").fill("axe@example.com");
  await page.getByLabel("Name", { exact: true }).fill("Ada Axe");
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByRole("heading", { name: "Thank you, Ada Axe!" })).toBeVisible();
  await expectAccessible(page, "order");
});

test("the page after a hold ended (released items, hold again) has no serious or critical violation", async ({
  browser,
}) => {
  const context = await browser.newContext({ baseURL: `http://localhost:${servers.short.port}` });
  const page = await context.newPage();
  await page.goto("/products/bamboo-cutting-board");
  await page.getByRole("button", { name: "Add Bamboo Cutting Board to cart" }).click();
  // The badge moves before the server answers: wait for the answer before leaving the page.
  await expect(page.getByRole("status").filter({ hasText: "Added 1 × Bamboo Cutting Board" })).toBeVisible();
  await page.goto("/cart");
  await expect(page.getByTestId("hold-ended")).toBeVisible({ timeout: 15_000 });
  await expectAccessible(page, "expired");
  await context.close();
});

test("a button whose action is under way keeps the focus: busy, not disabled, and a second press does nothing", async ({
  page,
}) => {
  await page.goto("/products/canvas-tote-bag");
  // The server action takes a second and a half: long enough to look at the pending button.
  let posts = 0;
  await page.route("**/products/canvas-tote-bag", async (route) => {
    if (route.request().method() === "POST") {
      posts += 1;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    }
    await route.continue();
  });
  const add = page.getByRole("button", { name: "Add Canvas Tote Bag to cart" });
  await add.focus();
  await page.keyboard.press("Enter");
  await expect(add).toHaveAttribute("aria-busy", "true");
  await expect(add).toHaveAttribute("aria-disabled", "true");
  await expect(add).toBeFocused();
  await page.keyboard.press("Enter"); // pressed again while busy
  await expect(add).not.toHaveAttribute("aria-busy", "true");
  await expect(add).toBeFocused();
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  expect(posts).toBe(1);
});
