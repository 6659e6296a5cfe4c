-- Archived products (issue 27: the operator's catalog). An archived product is off sale: it is not
-- listed, and nobody may hold more of it or join its line; holds already made run out as any hold
-- and a cart may still lower or remove its line. Archiving a product in variants stamps the
-- product and every variant, so each row of stock knows it from its own row: change_lines and
-- join_line check archived_at on the products row they already read for the drop's release (no
-- query of their own on the hot path), and refuse with product_archived. Both functions are the
-- latest text (change_lines: 0010, join_line: 0008) with only that check added.
ALTER TABLE "products" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint

CREATE OR REPLACE FUNCTION change_lines(product integer, requests jsonb, settings jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  cart_ttl integer := (settings->>'cartTtlSeconds')::integer;
  max_qty integer := (settings->>'maxQtyPerLine')::integer;
  max_lines integer := (settings->>'maxLines')::integer;
  max_units integer := (settings->>'maxUnitsPerCart')::integer;
  hold_limits boolean := (settings->>'holdLimits')::boolean;
  existing uuid[];
  carts_by_id jsonb;
  lines_by_cart jsonb;
  clients text[] := '{}';
  holdings jsonb := '{}';
  stock_available integer;
  stock_reserved integer;
  has_line boolean;
  locked_at timestamptz;
  available integer;
  for_sale integer;
  freed integer := 0;
  outcomes jsonb := '[]';
  r jsonb;
  cart jsonb;
  client text;
  holding jsonb;
  lines jsonb;
  line_units integer;
  current_qty integer;
  target integer;
  more integer;
  refusal jsonb;
  created_ids uuid[] := '{}';
  created_clients text[] := '{}';
  kept_ids uuid[] := '{}';
  kept_targets integer[] := '{}';
  emptied_ids uuid[] := '{}';
  net integer;
  written integer;
  declined_units integer := 0;
  offers jsonb := '[]';
  share integer;
  release_time timestamptz;
  not_open boolean;
  archived boolean;
  next_release_ms integer;
  next_release_read boolean := false;
BEGIN
  PERFORM set_config('lock_timeout', '5s', true);
  SELECT coalesce(array_agg(DISTINCT (x->>'cartId')::uuid), '{}') INTO existing
    FROM jsonb_array_elements(requests) x WHERE x->>'newFor' IS NULL;

  -- Every mutation of a cart locks its row first and bumps its version (Redis writes carry it).
  WITH locked AS (
    UPDATE carts c SET version = c.version + 1
      FROM (SELECT id FROM carts WHERE id = ANY(existing) ORDER BY id FOR UPDATE) l
     WHERE c.id = l.id
    RETURNING c.id, c.version, c.client_key, c.extensions_used, c.expires_at,
              c.state = 'active' AND c.expires_at > now() AS live)
  SELECT coalesce(jsonb_object_agg(id, jsonb_build_object(
           'version', version, 'clientKey', client_key, 'extensionsUsed', extensions_used, 'live', live,
           'expiresAtMs', (extract(epoch FROM expires_at) * 1000)::float8,
           'ttlMs', floor(extract(epoch FROM expires_at - now()) * 1000)::integer)), '{}')
    INTO carts_by_id FROM locked;
  -- A statement of its own, after the locks: it sees every change committed before them.
  SELECT coalesce(jsonb_object_agg(cart_id, l), '{}') INTO lines_by_cart FROM (
    SELECT cart_id, jsonb_agg(jsonb_build_object('productId', product_id, 'quantity', quantity) ORDER BY product_id) l
      FROM reservations WHERE cart_id = ANY(existing) GROUP BY cart_id) x;

  IF hold_limits THEN
    -- Carts from before clients were recorded have no key: they are not counted together.
    SELECT coalesce(array_agg(DISTINCT k), '{}') INTO clients FROM (
      SELECT coalesce(x->>'newFor', carts_by_id->((x->>'cartId')::uuid::text)->>'clientKey') AS k
        FROM jsonb_array_elements(requests) x) ks
     WHERE k IS NOT NULL AND k <> '';
    -- Invariant 9: each client's holds queue here until commit, so holds in flight add up.
    -- Advisory locks are keyed (namespace, key); namespace 9 is "a client's holds" (join_line too).
    PERFORM count(pg_advisory_xact_lock(9, h))
       FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest(clients) k ORDER BY 1) ordered;
    SELECT coalesce(jsonb_object_agg(client_key, jsonb_build_object('product', p, 'total', t)), '{}') INTO holdings
      FROM (SELECT c.client_key,
                   coalesce(sum(s.quantity) FILTER (WHERE s.product_id = product), 0)::integer AS p,
                   coalesce(sum(s.quantity), 0)::integer AS t
              FROM carts c JOIN reservations s ON s.cart_id = c.id
             WHERE c.client_key = ANY(clients) AND c.state = 'active' AND c.expires_at > now()
             GROUP BY c.client_key) h;
  END IF;

  -- The hot row, last: locked from here to the end of this statement, which commits it.
  SELECT i.available, i.reserved INTO stock_available, stock_reserved
    FROM inventory i WHERE i.product_id = product FOR UPDATE;
  IF NOT FOUND THEN
    SELECT jsonb_agg(jsonb_build_object('ok', false, 'code', 'unknown_product', 'details', '{}'::jsonb))
      INTO outcomes FROM jsonb_array_elements(requests);
    RETURN jsonb_build_object('outcomes', outcomes, 'availableAfter', null, 'declinedUnits', 0,
                              'offers', '[]'::jsonb, 'lockMs', 0);
  END IF;
  locked_at := clock_timestamp();
  share := shopper_share(product, max_qty);
  -- A drop nobody may hold yet (invariant 11): before its release, and until its draw's offers are made.
  SELECT p.release_at, p.release_at IS NOT NULL AND p.opened_at IS NULL, p.archived_at IS NOT NULL
    INTO release_time, not_open, archived
    FROM products p WHERE p.id = product;
  -- Read under the row lock: nobody joins or leaves the line until this commits.
  has_line := EXISTS (SELECT 1 FROM waitlist_entries w WHERE w.product_id = product AND w.offer_cart_id IS NULL);

  available := stock_available;
  -- What adds may take. With shoppers in line, units this batch frees are theirs (invariant 8):
  -- they go to the line below, never to a later request of the batch.
  for_sale := stock_available;
  FOR r IN SELECT value FROM jsonb_array_elements(requests) LOOP
    refusal := NULL;
    client := r->>'newFor';
    cart := CASE WHEN client IS NULL THEN carts_by_id->((r->>'cartId')::uuid::text) END;
    IF client IS NULL THEN client := cart->>'clientKey'; END IF;
    lines := coalesce(lines_by_cart->((r->>'cartId')::uuid::text), '[]');
    SELECT coalesce(sum((l->>'quantity')::integer) FILTER (WHERE (l->>'productId')::integer = product), 0),
           coalesce(sum((l->>'quantity')::integer), 0)
      INTO current_qty, line_units FROM jsonb_array_elements(lines) l;
    target := CASE r->>'mode'
                WHEN 'add' THEN current_qty + (r->>'quantity')::integer
                WHEN 'set' THEN (r->>'quantity')::integer
                ELSE greatest(0, current_qty - (r->>'quantity')::integer) END;
    more := target - current_qty;
    holding := CASE WHEN hold_limits AND client IS NOT NULL AND client <> '' THEN holdings->client END;
    IF holding IS NULL AND hold_limits AND client IS NOT NULL AND client <> '' THEN
      holding := '{"product": 0, "total": 0}';
    END IF;

    IF r->>'newFor' IS NULL AND NOT coalesce((cart->>'live')::boolean, false) THEN
      refusal := jsonb_build_object('code', 'cart_expired', 'details', '{}'::jsonb);
    -- Off sale: nothing more of it may be held; a line may still shrink or go.
    ELSIF more > 0 AND archived THEN
      refusal := jsonb_build_object('code', 'product_archived', 'details', '{}'::jsonb);
    ELSIF more > 0 AND not_open THEN
      refusal := jsonb_build_object('code', 'not_released', 'details',
                   jsonb_build_object('releaseAtMs', (extract(epoch FROM release_time) * 1000)::float8));
    -- What one cart may hold (cart_limit).
    ELSIF target > max_qty THEN
      refusal := jsonb_build_object('code', 'cart_limit', 'details', jsonb_build_object('maxQtyPerLine', max_qty));
    ELSIF current_qty = 0 AND target > 0 AND jsonb_array_length(lines) >= max_lines THEN
      refusal := jsonb_build_object('code', 'cart_limit', 'details', jsonb_build_object('maxLines', max_lines));
    ELSIF target > current_qty AND line_units - current_qty + target > max_units THEN
      refusal := jsonb_build_object('code', 'cart_limit', 'details', jsonb_build_object('maxUnitsPerCart', max_units));
    -- What one client may hold across its carts (hold_limit, invariant 9): of this product its
    -- per-shopper limit; with the per-client caps off, what one cart may hold of it.
    ELSIF more > 0 AND holding IS NOT NULL AND (holding->>'product')::integer + more > share THEN
      refusal := jsonb_build_object('code', 'hold_limit', 'details',
                   jsonb_build_object('held', (holding->>'product')::integer, 'perShopperLimit', share));
    ELSIF more > 0 AND holding IS NULL AND target > share THEN
      refusal := jsonb_build_object('code', 'hold_limit', 'details',
                   jsonb_build_object('held', current_qty, 'perShopperLimit', share));
    ELSIF more > 0 AND holding IS NOT NULL AND (holding->>'total')::integer + more > max_units THEN
      refusal := jsonb_build_object('code', 'hold_limit', 'details',
                   jsonb_build_object('held', (holding->>'total')::integer, 'maxUnitsPerClient', max_units));
    ELSIF more > for_sale THEN
      -- When the product's next hold ends (negative: one is overdue), read once per batch: the
      -- caller frees overdue holds only when there are some, and knows how long "sold out" lasts.
      IF NOT next_release_read THEN
        SELECT floor(extract(epoch FROM min(c.expires_at) - now()) * 1000)::integer INTO next_release_ms
          FROM reservations s JOIN carts c ON c.id = s.cart_id
         WHERE s.product_id = product AND c.state = 'active';
        next_release_read := true;
      END IF;
      refusal := jsonb_build_object('code', 'insufficient_stock', 'details',
                   jsonb_build_object('available', for_sale, 'reserved', stock_reserved + stock_available - available,
                                      'mine', current_qty, 'nextReleaseMs', next_release_ms));
    END IF;

    IF refusal IS NOT NULL THEN
      outcomes := outcomes || jsonb_build_array(jsonb_build_object('ok', false) || refusal);
      CONTINUE;
    END IF;

    available := available - more;
    for_sale := for_sale - CASE WHEN has_line THEN greatest(0, more) ELSE more END;
    freed := freed + greatest(0, -more);
    IF holding IS NOT NULL THEN
      holdings := holdings || jsonb_build_object(client, jsonb_build_object(
                    'product', (holding->>'product')::integer + more, 'total', (holding->>'total')::integer + more));
    END IF;
    IF r->>'newFor' IS NOT NULL THEN
      created_ids := created_ids || (r->>'cartId')::uuid;
      created_clients := created_clients || (r->>'newFor');
    END IF;
    IF target > 0 THEN
      kept_ids := kept_ids || (r->>'cartId')::uuid;
      kept_targets := kept_targets || target;
    ELSIF r->>'newFor' IS NULL THEN
      emptied_ids := emptied_ids || (r->>'cartId')::uuid;
    END IF;
    outcomes := outcomes || jsonb_build_object(
      'ok', true, 'previousQuantity', current_qty, 'lineQuantity', target, 'availableAfter', available,
      'lines', lines, 'cart', cart);
  END LOOP;

  net := stock_available - available;
  IF cardinality(created_ids) + cardinality(kept_ids) + cardinality(emptied_ids) = 0 AND net = 0 THEN
    RETURN jsonb_build_object('outcomes', outcomes, 'availableAfter', null, 'declinedUnits', 0,
                              'offers', '[]'::jsonb, 'lockMs', extract(epoch FROM clock_timestamp() - locked_at) * 1000);
  END IF;

  WITH new_carts AS (
         INSERT INTO carts (id, client_key, expires_at)
         SELECT id, k, now() + make_interval(secs => cart_ttl) FROM unnest(created_ids, created_clients) AS n(id, k)),
       kept AS (
         INSERT INTO reservations (cart_id, product_id, quantity)
         SELECT id, product, q FROM unnest(kept_ids, kept_targets) AS k(id, q)
         ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = excluded.quantity),
       emptied AS (
         DELETE FROM reservations WHERE product_id = product AND cart_id = ANY(emptied_ids)),
       declined AS (
         -- An offer removed from the cart is declined: its place in line ends (invariant 8).
         DELETE FROM waitlist_entries WHERE product_id = product AND offer_cart_id = ANY(emptied_ids)
         RETURNING offered_units)
  SELECT coalesce(sum(offered_units), 0)::integer INTO declined_units FROM declined;

  UPDATE inventory SET available = inventory.available - net, reserved = reserved + net
   WHERE product_id = product AND inventory.available >= net
  RETURNING inventory.available INTO written;
  IF written IS DISTINCT FROM available THEN
    RAISE EXCEPTION 'inventory of product % moved under its row lock (% <> %)', product, written, available;
  END IF;
  -- Units given back (a smaller line, a removed one, an undo) go to the line first (invariant 8).
  IF has_line AND freed > 0 THEN
    -- Units these carts gave up never go back to their clients through the line (invariant 8).
    PERFORM set_config('holdcart.freed_by_carts', array_to_string(existing || created_ids, ','), true);
    offers := hand_off_freed(ARRAY[product], settings);
  END IF;

  RETURN jsonb_build_object(
    'outcomes', outcomes,
    'availableAfter', CASE WHEN net = 0 THEN NULL ELSE available END,
    'declinedUnits', declined_units,
    'offers', offers,
    'newCart', jsonb_build_object(
      'expiresAtMs', (extract(epoch FROM now() + make_interval(secs => cart_ttl)) * 1000)::float8,
      'ttlMs', floor(cart_ttl * 1000)::integer),
    'lockMs', extract(epoch FROM clock_timestamp() - locked_at) * 1000);
END
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION join_line(for_product integer, for_waiter uuid, for_client text, units_wanted integer,
                                     waiter_cart uuid, capped boolean, max_qty integer, max_lines integer)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  stock integer;
  held_units integer;
  waiting_units integer;
  lines_waited integer;
  entry bigint;
  share integer;
  release_time timestamptz;
  not_open boolean;
  archived boolean;
BEGIN
  PERFORM set_config('lock_timeout', '5s', true);
  IF waiter_cart IS NOT NULL THEN
    UPDATE carts SET waiter_id = for_waiter
     WHERE id = waiter_cart AND state = 'active' AND expires_at > now() AND waiter_id IS DISTINCT FROM for_waiter;
  END IF;
  IF capped THEN
    PERFORM pg_advisory_xact_lock(9, hashtext(for_client)); -- namespace 9: a client's holds (change_lines)
  END IF;
  SELECT available INTO stock FROM inventory WHERE product_id = for_product FOR UPDATE;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('code', 'unknown_product', 'details', '{}'::jsonb);
  END IF;
  SELECT p.release_at, p.release_at IS NOT NULL AND p.opened_at IS NULL, p.archived_at IS NOT NULL
    INTO release_time, not_open, archived
    FROM products p WHERE p.id = for_product;
  -- Off sale: nobody joins its line.
  IF archived THEN
    RETURN jsonb_build_object('code', 'product_archived', 'details', '{}'::jsonb);
  END IF;
  -- Before a drop opens its line is the draw's entry list, whatever is in stock (invariant 11).
  IF stock >= units_wanted AND NOT not_open THEN
    RETURN jsonb_build_object('code', 'in_stock', 'details', jsonb_build_object('available', stock));
  END IF;
  -- With the per-client caps off: the waiter's own carts hold none of it.
  IF NOT capped AND EXISTS (
       SELECT 1 FROM carts c JOIN reservations r ON r.cart_id = c.id
        WHERE c.waiter_id = for_waiter AND c.state = 'active' AND r.product_id = for_product) THEN
    RETURN jsonb_build_object('code', 'already_holding', 'details', '{}'::jsonb);
  END IF;
  IF capped THEN
    SELECT coalesce(sum(r.quantity), 0)::integer INTO held_units
      FROM carts c JOIN reservations r ON r.cart_id = c.id
     WHERE c.client_key = for_client AND c.state = 'active' AND r.product_id = for_product;
    SELECT coalesce(sum(w.quantity) FILTER (WHERE w.product_id = for_product AND w.offer_cart_id IS NULL), 0)::integer,
           count(*)::integer
      INTO waiting_units, lines_waited
      FROM waitlist_entries w WHERE w.client_key = for_client;
    -- Nobody waits in line for units it holds (invariant 8): those would come back to it.
    IF held_units > 0 THEN
      RETURN jsonb_build_object('code', 'already_holding', 'details', jsonb_build_object('held', held_units));
    END IF;
    -- A drop's line holds one entry per client, however many waiter cookies it brings (invariant 11).
    IF release_time IS NOT NULL AND EXISTS (
         SELECT 1 FROM waitlist_entries w WHERE w.product_id = for_product AND w.client_key = for_client) THEN
      RETURN jsonb_build_object('code', 'already_waiting', 'details', jsonb_build_object('draw', 1));
    END IF;
    share := shopper_share(for_product, max_qty);
    IF held_units + waiting_units + units_wanted > share THEN
      RETURN jsonb_build_object('code', 'hold_limit', 'details', jsonb_build_object(
        'held', held_units, 'waiting', waiting_units, 'perShopperLimit', share));
    END IF;
    IF lines_waited >= max_lines THEN
      RETURN jsonb_build_object('code', 'hold_limit', 'details', jsonb_build_object(
        'lines', lines_waited, 'maxLines', max_lines));
    END IF;
  END IF;
  INSERT INTO waitlist_entries (product_id, waiter_id, client_key, quantity)
  VALUES (for_product, for_waiter, for_client, units_wanted)
  ON CONFLICT (product_id, waiter_id) DO NOTHING
  RETURNING id INTO entry;
  IF entry IS NULL THEN
    RETURN jsonb_build_object('code', 'already_waiting', 'details', '{}'::jsonb);
  END IF;
  RETURN jsonb_build_object('entryId', entry::text);
END
$$;
