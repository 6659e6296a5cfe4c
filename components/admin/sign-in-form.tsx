"use client";

import { useActionState } from "react";
import { signInAction, type FormState } from "./actions";
import { busy } from "@/components/busy";

/** The operator signs in with ADMIN_TOKEN; the answer is an httpOnly session cookie. */
export function SignInForm() {
  const [state, action, pending] = useActionState<FormState, FormData>(signInAction, {});
  return (
    <form action={action} className="mx-auto mt-8 max-w-sm space-y-4 rounded-lg border border-stone-200 bg-white p-6">
      <h1 className="text-2xl font-bold tracking-tight">Operator sign-in</h1>
      <p className="text-sm text-stone-600">
        The live view of stock, holds and the ledger is for the store&rsquo;s operators.
      </p>
      <div className="space-y-1">
        <label htmlFor="admin-token" className="block text-sm font-medium text-stone-800">
          Admin token
        </label>
        <input
          id="admin-token"
          name="token"
          type="password"
          autoComplete="current-password"
          required
          aria-describedby="sign-in-error"
          className="w-full rounded-md border border-stone-300 px-3 py-2"
        />
      </div>
      <p id="sign-in-error" role="alert" className="min-h-5 text-sm font-medium text-red-700">
        {state.error ?? ""}
      </p>
      <button
        type="submit"
        {...busy(pending)}
        className="w-full rounded-md bg-stone-900 px-4 py-2 font-semibold text-white hover:bg-stone-700 aria-disabled:opacity-60"
      >
        Sign in
      </button>
    </form>
  );
}
