import type { Metadata } from "next";
import { CatalogSection } from "@/components/admin/catalog-list";
import { Dashboard } from "@/components/admin/dashboard";
import { SignInForm } from "@/components/admin/sign-in-form";
import { dashboardSnapshot } from "@/lib/admin/dashboard";
import type { DashboardSnapshot } from "@/lib/admin/dashboard-types";
import { currentAdminUntil } from "@/lib/admin/admin-session";
import { config } from "@/lib/base/config";
import type { AdminProduct } from "@/lib/catalog/catalog-rows";
import { listForOperator } from "@/lib/catalog/operator-catalog";
import { MAX_IMAGE_BYTES, MAX_IMAGE_SIZE_TEXT } from "@/lib/catalog/product-images";
import { isBackendUnavailable } from "@/lib/http/error-response";

export const metadata: Metadata = { title: "Operator view", robots: { index: false, follow: false } };

/** The operators' page: without an admin session, only the sign-in form; nothing of the store's state. */
export default async function AdminPage() {
  if ((await currentAdminUntil()) === null) return <SignInForm />;
  let initial: DashboardSnapshot;
  let catalog: AdminProduct[];
  try {
    [initial, catalog] = await Promise.all([dashboardSnapshot(), listForOperator()]);
  } catch (error) {
    if (!isBackendUnavailable(error)) throw error;
    return (
      <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-amber-900">
        The store&rsquo;s database does not answer right now. Reload in a moment.
      </p>
    );
  }
  return (
    <div className="space-y-8">
      <Dashboard initial={initial} />
      <CatalogSection
        products={catalog}
        limits={{ maxBytes: MAX_IMAGE_BYTES, maxText: MAX_IMAGE_SIZE_TEXT }}
        maxQtyPerLine={config().maxQtyPerLine}
      />
    </div>
  );
}
