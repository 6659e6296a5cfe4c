import type { Flash } from "@/lib/http/flash";

/** What a plain form (no JavaScript) did, on the page it redirected to. */
export function FlashMessage({ flash }: { flash: Flash | null }) {
  if (!flash) return null;
  const success = flash.tone === "success";
  return (
    <p
      role={success ? "status" : "alert"}
      className={`mx-auto mb-6 max-w-4xl rounded-lg border px-4 py-3 font-medium ${
        success ? "border-emerald-300 bg-emerald-50 text-emerald-900" : "border-red-300 bg-red-50 text-red-900"
      }`}
      data-testid="flash"
    >
      {flash.text}
    </p>
  );
}
