-- An offer is put into the waiter's live cart only if that cart is live by the clock at the
-- moment of the offer, and only while the offer holds the client's advisory lock (namespace 9,
-- taken by change_lines and join_line to count a client's holds). Before, offer_to_line judged
-- the cart by now(), the start of the statement that freed the units (a release waits up to its
-- lock_timeout for the product's row): a release begun before the waiter's cart ran out and
-- deciding after it extended that cart, and with it the cart's old holds, after the client's
-- next cart had counted them as ended and been allowed their units again (invariant 9; the same
-- race as extend_hold's, 0014). The lock is only tried: this statement already holds the
-- product's row, which change_lines takes after the client's lock, so waiting could deadlock;
-- when another statement holds it, the offer gets a cart of its own. offer_to_line is 0008's
-- text with only that changed; the offer's deadline runs from the same moment.
CREATE OR REPLACE FUNCTION offer_to_line(product_ids integer[], settings jsonb, max_offers integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  offer_ttl integer := (settings->>'offerTtlSeconds')::integer;
  max_qty integer := (settings->>'maxQtyPerLine')::integer;
  max_units integer := (settings->>'maxUnitsPerCart')::integer;
  max_lines integer := (settings->>'maxLines')::integer;
  hold_limits boolean := (settings->>'holdLimits')::boolean;
  offers jsonb := '[]';
  dropped boolean;
  w record;
  left_units integer;
  held_product integer;
  held_total integer;
  units integer;
  offer_cart uuid;
  made integer := 0;
  max_extensions integer := coalesce((settings->>'maxHoldExtensions')::integer, 2147483647);
  freed_by uuid[] := string_to_array(nullif(current_setting('holdcart.freed_by_carts', true), ''), ',')::uuid[];
  passed_clients text[] := '{}';
  passed_waiters uuid[] := '{}';
  offered_at timestamptz;
  may_extend boolean;
BEGIN
  -- Invariant 8: units a client's own hold just gave up never go back to it, under any of its
  -- identities. The statement that freed them names its carts (holdcart.freed_by_carts, for this
  -- transaction): their clients (their waiters, with the per-client caps off, when every client is
  -- one address) are passed over this time and keep their places for units freed by others.
  IF freed_by IS NOT NULL THEN
    PERFORM set_config('holdcart.freed_by_carts', '', true);
    SELECT coalesce(array_agg(DISTINCT client_key) FILTER (WHERE client_key <> ''), '{}'),
           coalesce(array_agg(DISTINCT waiter_id) FILTER (WHERE waiter_id IS NOT NULL), '{}')
      INTO passed_clients, passed_waiters
      FROM carts WHERE id = ANY(freed_by);
    IF NOT hold_limits THEN passed_clients := '{}'; END IF;
  END IF;
  FOR pass IN 1..100 LOOP
    dropped := false;
    FOR w IN
      SELECT e.id, e.product_id, e.waiter_id, e.client_key, e.quantity, e.draw_rank
        FROM inventory i
        CROSS JOIN LATERAL (
          SELECT id, product_id, waiter_id, client_key, quantity, joined_at, draw_rank FROM waitlist_entries
           WHERE product_id = i.product_id AND offer_cart_id IS NULL
             AND NOT client_key = ANY(passed_clients) AND NOT waiter_id = ANY(passed_waiters)
           ORDER BY draw_rank, joined_at, id
           LIMIT least(i.available, max_offers - made)) e
       WHERE i.product_id = ANY(product_ids) AND i.available > 0
       ORDER BY e.product_id, e.draw_rank, e.joined_at, e.id
    LOOP
      EXIT WHEN made >= max_offers;
      SELECT available INTO left_units FROM inventory WHERE product_id = w.product_id;
      CONTINUE WHEN left_units <= 0;
      -- Invariant 9: what the waiter's client holds (per-client caps off: the waiter's own carts).
      -- Two statements, so each finds its carts by its own index.
      IF hold_limits THEN
        SELECT coalesce(sum(r.quantity) FILTER (WHERE r.product_id = w.product_id), 0)::integer,
               coalesce(sum(r.quantity), 0)::integer
          INTO held_product, held_total
          FROM carts c JOIN reservations r ON r.cart_id = c.id
         WHERE c.state = 'active' AND c.client_key = w.client_key AND c.client_key <> '';
      ELSE
        SELECT coalesce(sum(r.quantity) FILTER (WHERE r.product_id = w.product_id), 0)::integer,
               coalesce(sum(r.quantity), 0)::integer
          INTO held_product, held_total
          FROM carts c JOIN reservations r ON r.cart_id = c.id
         WHERE c.state = 'active' AND c.waiter_id = w.waiter_id;
      END IF;
      units := least(w.quantity, left_units, shopper_share(w.product_id, max_qty) - held_product,
                     max_units - held_total);
      IF units <= 0 THEN
        DELETE FROM waitlist_entries WHERE id = w.id;
        dropped := true;
        CONTINUE;
      END IF;

      -- Into the waiter's live cart when it has one; a later deadline given that way counts as one of
      -- the cart's extensions, and a cart with none left is passed by (the offer gets a cart of its
      -- own), so no path keeps a cart past MAX_HOLD_EXTENSIONS. Live by the clock now, and with the
      -- client's holds locked (change_lines' lock; tried, never waited for, as this statement holds
      -- the product's row, which change_lines takes after it), so a cart the client's other holds
      -- have counted as ended is never brought back (invariant 9); otherwise a cart of its own.
      offer_cart := NULL;
      offered_at := clock_timestamp();
      may_extend := NOT hold_limits OR w.client_key = '' OR pg_try_advisory_xact_lock(9, hashtext(w.client_key));
      UPDATE carts SET extensions_used = extensions_used
                         + CASE WHEN offered_at + make_interval(secs => offer_ttl) > expires_at THEN 1 ELSE 0 END,
                       expires_at = greatest(expires_at, offered_at + make_interval(secs => offer_ttl)),
                       version = version + 1
       WHERE may_extend AND id = (SELECT c.id FROM carts c
                    WHERE c.waiter_id = w.waiter_id AND c.state = 'active' AND c.expires_at > offered_at
                      AND (c.extensions_used < max_extensions OR c.expires_at >= offered_at + make_interval(secs => offer_ttl))
                      AND NOT EXISTS (
                        SELECT 1 FROM reservations r
                          JOIN waitlist_entries x ON x.product_id = r.product_id AND x.offer_cart_id IS NULL
                         WHERE r.cart_id = c.id)
                      AND (SELECT count(*) FROM reservations r
                            WHERE r.cart_id = c.id AND r.product_id <> w.product_id) < max_lines
                    ORDER BY c.created_at DESC LIMIT 1
                    FOR UPDATE OF c SKIP LOCKED)
      RETURNING id INTO offer_cart;
      IF offer_cart IS NULL THEN
        offer_cart := gen_random_uuid();
        INSERT INTO carts (id, client_key, waiter_id, expires_at)
        VALUES (offer_cart, w.client_key, w.waiter_id, offered_at + make_interval(secs => offer_ttl));
      END IF;

      UPDATE inventory SET available = available - units, reserved = reserved + units
       WHERE product_id = w.product_id AND available >= units;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'hand-off of product % found fewer units than it counted', w.product_id;
      END IF;
      INSERT INTO reservations (cart_id, product_id, quantity) VALUES (offer_cart, w.product_id, units)
      ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = reservations.quantity + excluded.quantity;
      UPDATE waitlist_entries SET offer_cart_id = offer_cart, offered_units = units WHERE id = w.id;
      IF w.draw_rank IS NOT NULL THEN
        UPDATE draw_entries SET offer_cart_id = offer_cart, offered_units = units WHERE entry_id = w.id;
      END IF;
      made := made + 1;
      offers := offers || jsonb_build_object('entryId', w.id::text, 'productId', w.product_id,
                                             'waiterId', w.waiter_id, 'cartId', offer_cart, 'units', units);
    END LOOP;
    EXIT WHEN NOT dropped OR made >= max_offers;
  END LOOP;
  RETURN offers;
END
$$;
