/**
 * The rehearsal's record of who held what, and when, from the database itself.
 *
 * Holds, places in line and offers live in rows that change and vanish (a release deletes the
 * reservations, a claimed or lapsed offer deletes its line entry), so polling them would miss
 * what happened between two polls. Instead, the rehearsal's own database gets row triggers that
 * copy every committed change of `reservations`, `waitlist_entries`, `inventory` and the carts'
 * state and deadline into `drop_audit`, inside the store's own transactions: a rolled-back change
 * leaves no row, and each row carries the database clock (`clock_timestamp()`), the transaction id
 * and a sequence number. The store's code is not touched; the triggers cost one small insert
 * per changed row (an unlogged table: no WAL), and they exist only in the rehearsal's database.
 * When the rehearsal kills the database's primary (`durable`), the table is logged instead: an
 * unlogged table is emptied by crash recovery and never reaches the standby, so the record of
 * everything before the failover would be gone.
 *
 * Order: every change of the product's holds and line is made under its inventory row lock, so
 * the sequence numbers of those changes follow commit order (lib/hold/hand-off.ts,
 * lib/hold/change-lines.ts, lib/waitlist/entries.ts).
 */
import type { Sql } from "postgres";

export async function installAudit(sql: Sql, { durable = false } = {}): Promise<void> {
  await sql.unsafe(`
    create ${durable ? "" : "unlogged"} table drop_audit (
      seq bigserial primary key,
      at timestamptz not null default clock_timestamp(),
      tx bigint not null default txid_current(),
      tbl text not null,
      op text not null,
      old jsonb,
      new jsonb
    );
    create function drop_audit_row() returns trigger language plpgsql as $$
    begin
      insert into drop_audit (tbl, op, old, new)
      values (TG_TABLE_NAME, TG_OP,
              case when TG_OP <> 'INSERT' then to_jsonb(OLD) end,
              case when TG_OP <> 'DELETE' then to_jsonb(NEW) end);
      return null;
    end $$;
    create trigger drop_audit after insert or update or delete on reservations
      for each row execute function drop_audit_row();
    create trigger drop_audit after insert or update or delete on waitlist_entries
      for each row execute function drop_audit_row();
    create trigger drop_audit after update on inventory
      for each row execute function drop_audit_row();
    create trigger drop_audit_insert after insert on carts
      for each row execute function drop_audit_row();
    -- Version bumps are most cart updates: only the state and the deadline matter here.
    create trigger drop_audit_update after update on carts
      for each row when (old.state is distinct from new.state or old.expires_at is distinct from new.expires_at)
      execute function drop_audit_row();
  `);
}

/** One audited change, its timestamps read as epoch milliseconds (joined_at in microseconds, for order). */
export type AuditRow =
  | (Base & { tbl: "reservations"; cartId: string; productId: number; oldQty: number; newQty: number })
  | (Base & {
      tbl: "waitlist_entries";
      entryId: string;
      productId: number;
      waiterId: string;
      clientKey: string;
      quantity: number;
      joinedUs: bigint;
      oldOfferCart: string | null;
      newOfferCart: string | null;
      offeredUnits: number | null;
      /** The entry's rank in its drop's draw (null: not drawn). */
      drawRank: number | null;
    })
  | (Base & { tbl: "inventory"; productId: number; oldAvailable: number; newAvailable: number })
  | (Base & {
      tbl: "carts";
      cartId: string;
      clientKey: string;
      oldState: string | null;
      newState: string;
      expiresMs: number;
      releasePath: string | null;
    });

type Base = { seq: number; tx: string; atMs: number; op: "INSERT" | "UPDATE" | "DELETE" };

type Raw = {
  seq: string;
  tx: string;
  at_ms: number;
  tbl: AuditRow["tbl"];
  op: Base["op"];
  old: Record<string, unknown> | null;
  new: Record<string, unknown> | null;
  expires_ms: number | null;
  joined_us: string | null;
};

/** Every audited change, in sequence order. */
export async function readAudit(sql: Sql): Promise<AuditRow[]> {
  const rows = await sql<Raw[]>`
    select seq, tx::text as tx, (extract(epoch from at) * 1000)::float8 as at_ms, tbl, op, old, new,
           case when tbl = 'carts' then (extract(epoch from (new->>'expires_at')::timestamptz) * 1000)::float8 end
             as expires_ms,
           case when tbl = 'waitlist_entries'
                then (extract(epoch from (coalesce(new, old)->>'joined_at')::timestamptz) * 1000000)::bigint::text end
             as joined_us
      from drop_audit order by seq`;
  return rows.map((r): AuditRow => {
    const base: Base = { seq: Number(r.seq), tx: r.tx, atMs: r.at_ms, op: r.op };
    const row = (r.new ?? r.old ?? {}) as Record<string, unknown>;
    const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
    switch (r.tbl) {
      case "reservations":
        return {
          ...base,
          tbl: "reservations",
          cartId: String(row.cart_id),
          productId: num(row.product_id),
          oldQty: num(r.old?.quantity),
          newQty: num(r.new?.quantity),
        };
      case "waitlist_entries":
        return {
          ...base,
          tbl: "waitlist_entries",
          entryId: String(row.id),
          productId: num(row.product_id),
          waiterId: String(row.waiter_id),
          clientKey: String(row.client_key ?? ""),
          quantity: num(row.quantity),
          joinedUs: BigInt(r.joined_us ?? "0"),
          oldOfferCart: (r.old?.offer_cart_id as string | null | undefined) ?? null,
          newOfferCart: (r.new?.offer_cart_id as string | null | undefined) ?? null,
          offeredUnits: r.new?.offered_units === undefined ? null : (r.new.offered_units as number | null),
          drawRank: (row.draw_rank as number | null | undefined) ?? null,
        };
      case "inventory":
        return {
          ...base,
          tbl: "inventory",
          productId: num(row.product_id),
          oldAvailable: num(r.old?.available),
          newAvailable: num(r.new?.available),
        };
      case "carts":
        return {
          ...base,
          tbl: "carts",
          cartId: String(row.id),
          clientKey: String(row.client_key ?? ""),
          oldState: (r.old?.state as string | undefined) ?? null,
          newState: String(row.state),
          expiresMs: r.expires_ms ?? 0,
          releasePath: (r.new?.release_path as string | null | undefined) ?? null,
        };
    }
  });
}
