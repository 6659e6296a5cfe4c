import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { ADMIN_TOKEN } from "../../playwright.config";

export type Counters = { id: number; slug: string; onHand: number; available: number; reserved: number; sold: number };
export type InventoryReport = { products: Counters[]; activeCarts: number; overdueCarts: number };

/** The ops view of the stock ledger, through the admin API. */
export async function inventory(request: APIRequestContext, baseURL?: string): Promise<InventoryReport> {
  const response = await request.get(`${baseURL ?? ""}/api/admin/inventory`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(response.status()).toBe(200);
  return (await response.json()) as InventoryReport;
}

export async function countersOf(request: APIRequestContext, slug: string, baseURL?: string): Promise<Counters> {
  const found = (await inventory(request, baseURL)).products.find((p) => p.slug === slug);
  if (!found) throw new Error(`no product ${slug}`);
  return found;
}

/** Every product conserves its stock: available + reserved + sold = on hand, none negative. */
export function expectConserved(report: InventoryReport): void {
  for (const p of report.products) {
    expect(p.available + p.reserved + p.sold, p.slug).toBe(p.onHand);
    expect(Math.min(p.available, p.reserved, p.sold), p.slug).toBeGreaterThanOrEqual(0);
  }
}

/** The sentence for a product whose every unit is in someone's cart ("… The first hold ends in 4:12."). */
export const HELD = /^(The last one is in a shopper's cart|All \d+ are in shoppers' carts)\. .*/;

/** "Only 3 left" / "42 left" / "Sold out" / every unit held, on a product page, as a number. */
export async function shownStock(page: Page): Promise<number> {
  const text = (await page.getByTestId("stock").innerText()).trim();
  const match = /(\d+) left/.exec(text);
  if (match) return Number(match[1]);
  if (/sold out/i.test(text) || HELD.test(text) || /in your cart\.$/.test(text)) return 0;
  throw new Error(`unexpected stock text: ${text}`);
}

/** The countdown's "m:ss" in seconds. */
export async function countdownSeconds(page: Page): Promise<number> {
  const text = (await page.getByRole("timer").innerText()).trim();
  const [m, s] = text.split(":").map(Number);
  return (m ?? 0) * 60 + (s ?? 0);
}
