-- Invariant 12, no lock waits on a Node process: a product's inventory row is locked for one
-- database round trip at most. The changes that lock it (a coalesced batch of line changes, a
-- release, the hand-off to the line) are decided here, inside the database, and each is called
-- as one statement outside any explicit transaction, so the statement that takes the row lock
-- also commits it: no JavaScript, no event loop, no network between the lock and the commit.
--
-- `settings` is the store's configuration as the caller has it (lib/ledger/ledger-settings.ts):
-- {cartTtlSeconds, offerTtlSeconds, holdLimits, maxQtyPerLine, maxLines, maxUnitsPerCart}.
-- Each function answers jsonb; `lockMs` is how long it held the first inventory row it locked,
-- up to its last statement (the commit follows at once, in the same round trip).

-- Invariant 8, the line comes first: gives the available units of `product_ids` to the first
-- shoppers in their lines, in order, as holds in their carts. Called by the freeing functions
-- below (and by restock) while they hold the products' inventory rows. Each waiter gets what is
-- left up to what they asked for; a waiter already at their share leaves the line unserved and
-- the next is read. The hold goes into the waiter's active cart (deadline at least now + the
-- offer's time) unless that cart holds something others wait for, has no room for another line,
-- or is locked right now (its shopper is changing it; that transaction may be waiting for the row
-- this one holds): then into a new cart.
CREATE OR REPLACE FUNCTION hand_off_freed(product_ids integer[], settings jsonb) RETURNS jsonb
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
BEGIN
  FOR pass IN 1..100 LOOP
    dropped := false;
    FOR w IN
      SELECT e.id, e.product_id, e.waiter_id, e.client_key, e.quantity
        FROM inventory i
        CROSS JOIN LATERAL (
          SELECT id, product_id, waiter_id, client_key, quantity, joined_at FROM waitlist_entries
           WHERE product_id = i.product_id AND offer_cart_id IS NULL
           ORDER BY joined_at, id
           LIMIT i.available) e
       WHERE i.product_id = ANY(product_ids) AND i.available > 0
       ORDER BY e.product_id, e.joined_at, e.id
    LOOP
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
      units := least(w.quantity, left_units, max_qty - held_product, max_units - held_total);
      IF units <= 0 THEN
        DELETE FROM waitlist_entries WHERE id = w.id;
        dropped := true;
        CONTINUE;
      END IF;

      offer_cart := NULL;
      UPDATE carts SET expires_at = greatest(expires_at, now() + make_interval(secs => offer_ttl)),
                       version = version + 1
       WHERE id = (SELECT c.id FROM carts c
                    WHERE c.waiter_id = w.waiter_id AND c.state = 'active' AND c.expires_at > now()
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
        VALUES (offer_cart, w.client_key, w.waiter_id, now() + make_interval(secs => offer_ttl));
      END IF;

      UPDATE inventory SET available = available - units, reserved = reserved + units
       WHERE product_id = w.product_id AND available >= units;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'hand-off of product % found fewer units than it counted', w.product_id;
      END IF;
      INSERT INTO reservations (cart_id, product_id, quantity) VALUES (offer_cart, w.product_id, units)
      ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = reservations.quantity + excluded.quantity;
      UPDATE waitlist_entries SET offer_cart_id = offer_cart, offered_units = units WHERE id = w.id;
      offers := offers || jsonb_build_object('entryId', w.id::text, 'productId', w.product_id,
                                             'waiterId', w.waiter_id, 'cartId', offer_cart, 'units', units);
    END LOOP;
    EXIT WHEN NOT dropped;
  END LOOP;
  RETURN offers;
END
$$;
--> statement-breakpoint

-- Ends carts and returns their held units to stock (invariants 4-6, 8): the one release of the
-- store. `cart_ids`, or with `sweep_limit` the oldest overdue carts not locked by anyone else
-- (any number of sweepers cooperate). Only carts still active (and, unless `early`, past their
-- deadline) change: `active -> expired` is a conditional update under the cart's row lock, so a
-- second caller changes nothing (exactly once) and checkout, which takes the same lock, excludes
-- it. The carts' inventory rows are locked in product order before their lines and offers go;
-- the freed units go to the line first (hand_off_freed) in this same statement.
CREATE OR REPLACE FUNCTION release_carts(cart_ids uuid[], sweep_limit integer, ended_by text, early boolean, settings jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  chosen uuid[] := cart_ids;
  ended jsonb;
  ended_ids uuid[];
  product_ids integer[];
  units_by_cart jsonb;
  passed integer;
  offers jsonb := '[]';
  changes jsonb;
  locked_at timestamptz;
BEGIN
  PERFORM set_config('lock_timeout', '5s', true);
  IF sweep_limit IS NOT NULL THEN
    SELECT coalesce(array_agg(id), '{}') INTO chosen FROM (
      SELECT id FROM carts WHERE state = 'active' AND expires_at <= now()
       ORDER BY expires_at LIMIT sweep_limit FOR UPDATE SKIP LOCKED) due;
  END IF;

  WITH e AS (
    UPDATE carts c SET state = 'expired', ended_at = now(), version = c.version + 1, release_path = ended_by
      FROM (SELECT id FROM carts WHERE id = ANY(chosen) ORDER BY id FOR UPDATE) l
     WHERE c.id = l.id AND c.state = 'active' AND (early OR c.expires_at <= now())
    RETURNING c.id, floor(extract(epoch FROM now() - c.expires_at) * 1000)::integer AS lag_ms)
  SELECT coalesce(array_agg(id), '{}'), coalesce(jsonb_agg(jsonb_build_object('cartId', id, 'lagMs', lag_ms)), '[]')
    INTO ended_ids, ended FROM e;
  IF cardinality(ended_ids) = 0 THEN
    RETURN jsonb_build_object('released', '[]'::jsonb, 'changes', '[]'::jsonb, 'offers', '[]'::jsonb,
                              'offersPassed', 0, 'lockMs', null);
  END IF;

  PERFORM 1 FROM inventory
   WHERE product_id IN (SELECT product_id FROM reservations WHERE cart_id = ANY(ended_ids)
                        UNION
                        SELECT product_id FROM waitlist_entries WHERE offer_cart_id = ANY(ended_ids))
   ORDER BY product_id FOR UPDATE;
  locked_at := clock_timestamp();

  -- The lines go and the carts remember them (the shopper is told what went back); an offer
  -- among them ends unclaimed, its place in line given up, its units on to the next in line.
  WITH gone AS (
         DELETE FROM reservations WHERE cart_id = ANY(ended_ids) RETURNING cart_id, product_id, quantity),
       remembered AS (
         UPDATE carts c SET released_lines = x.lines
           FROM (SELECT cart_id, jsonb_agg(jsonb_build_object('product_id', product_id, 'quantity', quantity)
                                           ORDER BY product_id) AS lines
                   FROM gone GROUP BY cart_id) x
          WHERE c.id = x.cart_id),
       passed_offers AS (
         DELETE FROM waitlist_entries WHERE offer_cart_id = ANY(ended_ids) RETURNING offered_units),
       per_product AS (SELECT product_id, sum(quantity)::integer AS units FROM gone GROUP BY product_id),
       returned AS (
         UPDATE inventory i SET available = i.available + p.units, reserved = i.reserved - p.units
           FROM per_product p WHERE i.product_id = p.product_id)
  SELECT (SELECT coalesce(sum(offered_units), 0)::integer FROM passed_offers),
         (SELECT coalesce(array_agg(product_id ORDER BY product_id), '{}') FROM per_product),
         (SELECT coalesce(jsonb_object_agg(cart_id, units), '{}')
            FROM (SELECT cart_id, sum(quantity)::integer AS units FROM gone GROUP BY cart_id) c)
    INTO passed, product_ids, units_by_cart;

  IF cardinality(product_ids) > 0 THEN
    offers := hand_off_freed(product_ids, settings);
  END IF;
  SELECT coalesce(jsonb_agg(jsonb_build_object('productId', product_id, 'available', available)
                            ORDER BY product_id), '[]')
    INTO changes FROM inventory WHERE product_id = ANY(product_ids);

  RETURN jsonb_build_object(
    'released', (SELECT jsonb_agg(r || jsonb_build_object('units', coalesce((units_by_cart->>(r->>'cartId'))::integer, 0)))
                   FROM jsonb_array_elements(ended) r),
    'changes', changes,
    'offers', offers,
    'offersPassed', passed,
    'lockMs', extract(epoch FROM clock_timestamp() - locked_at) * 1000);
END
$$;
--> statement-breakpoint

-- A coalesced batch of changes to one product's cart lines (lib/cart/line-change.ts), decided
-- and written in one statement. `requests` is a list of {cartId, newFor, mode, quantity} in
-- arrival order: `newFor` (a client key) starts a new cart with that id; `mode` is add (more),
-- set (the line becomes), giveBack or undo (fewer, never below zero). Each request is decided in
-- arrival order against what the requests before it left (stock, the client's holdings), so it
-- gets exactly the answer it would have had alone; refusals come back as {ok: false, code,
-- details} and the caller words them. Locks are taken in the order every transaction here takes
-- them: carts by id, then clients (advisory, invariant 9), then the inventory row. Invariant 3
-- still rests on the conditional update and the CHECK constraints, not on the decisions.
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
    -- What one cart may hold (cart_limit).
    ELSIF target > max_qty THEN
      refusal := jsonb_build_object('code', 'cart_limit', 'details', jsonb_build_object('maxQtyPerLine', max_qty));
    ELSIF current_qty = 0 AND target > 0 AND jsonb_array_length(lines) >= max_lines THEN
      refusal := jsonb_build_object('code', 'cart_limit', 'details', jsonb_build_object('maxLines', max_lines));
    ELSIF target > current_qty AND line_units - current_qty + target > max_units THEN
      refusal := jsonb_build_object('code', 'cart_limit', 'details', jsonb_build_object('maxUnitsPerCart', max_units));
    -- What one client may hold across its carts (hold_limit, invariant 9).
    ELSIF more > 0 AND holding IS NOT NULL AND (holding->>'product')::integer + more > max_qty THEN
      refusal := jsonb_build_object('code', 'hold_limit', 'details',
                   jsonb_build_object('held', (holding->>'product')::integer, 'maxQtyPerLine', max_qty));
    ELSIF more > 0 AND holding IS NOT NULL AND (holding->>'total')::integer + more > max_units THEN
      refusal := jsonb_build_object('code', 'hold_limit', 'details',
                   jsonb_build_object('held', (holding->>'total')::integer, 'maxUnitsPerClient', max_units));
    ELSIF more > for_sale THEN
      refusal := jsonb_build_object('code', 'insufficient_stock', 'details',
                   jsonb_build_object('available', for_sale, 'reserved', stock_reserved + stock_available - available));
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

-- Goods received: on_hand and available grow together (conservation), unless on_hand would pass
-- what an integer holds; then the shoppers in line get the new units first (invariant 8).
-- Null when nothing changed (an unknown product, or no room).
CREATE OR REPLACE FUNCTION receive_stock(for_product integer, add_units integer, settings jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('lock_timeout', '5s', true);
  UPDATE inventory SET on_hand = on_hand + add_units, available = available + add_units
   WHERE product_id = for_product AND on_hand::bigint + add_units <= 2147483647;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  RETURN jsonb_build_object('offers', hand_off_freed(ARRAY[for_product], settings));
END
$$;
--> statement-breakpoint

-- A shopper joins the line for a product that cannot be held now (lib/waitlist/line.ts). Locks in
-- the order every transaction takes them: the cart (which becomes the one offers go into), the
-- client, the product's row; then reads the client's share (invariant 9: units held plus units
-- waited for, and how many lines it waits in). Refusals come back as {code, details}.
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
  IF stock >= units_wanted THEN
    RETURN jsonb_build_object('code', 'in_stock', 'details', jsonb_build_object('available', stock));
  END IF;
  IF capped THEN
    SELECT coalesce(sum(r.quantity), 0)::integer INTO held_units
      FROM carts c JOIN reservations r ON r.cart_id = c.id
     WHERE c.client_key = for_client AND c.state = 'active' AND r.product_id = for_product;
    SELECT coalesce(sum(w.quantity) FILTER (WHERE w.product_id = for_product AND w.offer_cart_id IS NULL), 0)::integer,
           count(*)::integer
      INTO waiting_units, lines_waited
      FROM waitlist_entries w WHERE w.client_key = for_client;
    IF held_units + waiting_units + units_wanted > max_qty THEN
      RETURN jsonb_build_object('code', 'hold_limit', 'details', jsonb_build_object(
        'held', held_units, 'waiting', waiting_units, 'maxQtyPerLine', max_qty));
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
--> statement-breakpoint

-- Checkout (invariant 6, checkout xor expiry): under the cart's row lock, the same lock release
-- takes, a cart already checked out answers with its order, one past its deadline places none
-- (kind 'overdue': the caller releases it), one whose total is not what was quoted (and
-- authorised) places none (kind 'changed'); otherwise each line moves from reserved to sold, the
-- order keeps today's unit prices, the cart ends and the offers it held are claimed (their
-- places in line end). The products' rows are locked last, in product order.
CREATE OR REPLACE FUNCTION place_order(for_cart uuid, buyer_email text, buyer_name text, quoted_cents bigint)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  cart record;
  line_count integer;
  total bigint;
  new_order uuid;
  claimed integer;
BEGIN
  PERFORM set_config('lock_timeout', '5s', true);
  SELECT state, expires_at > now() AS live INTO cart FROM carts WHERE id = for_cart FOR UPDATE;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('kind', 'refused', 'code', 'cart_empty');
  END IF;
  IF cart.state = 'checked_out' THEN
    SELECT id INTO new_order FROM orders WHERE cart_id = for_cart;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'cart % is checked out without an order', for_cart;
    END IF;
    RETURN jsonb_build_object('kind', 'already', 'orderId', new_order);
  END IF;
  IF cart.state = 'expired' THEN
    RETURN jsonb_build_object('kind', 'refused', 'code', 'cart_expired');
  END IF;
  IF NOT cart.live THEN
    RETURN jsonb_build_object('kind', 'overdue');
  END IF;
  SELECT count(*)::integer, sum(r.quantity::bigint * p.price_cents) INTO line_count, total
    FROM reservations r JOIN products p ON p.id = r.product_id WHERE r.cart_id = for_cart;
  IF line_count = 0 THEN
    RETURN jsonb_build_object('kind', 'refused', 'code', 'cart_empty');
  END IF;
  IF total IS DISTINCT FROM quoted_cents THEN
    RETURN jsonb_build_object('kind', 'changed');
  END IF;

  INSERT INTO orders (cart_id, email, name, total_cents) VALUES (for_cart, buyer_email, buyer_name, total)
  RETURNING id INTO new_order;
  INSERT INTO order_lines (order_id, product_id, quantity, unit_price_cents)
  SELECT new_order, r.product_id, r.quantity, p.price_cents
    FROM reservations r JOIN products p ON p.id = r.product_id WHERE r.cart_id = for_cart;
  PERFORM 1 FROM inventory
   WHERE product_id IN (SELECT product_id FROM reservations WHERE cart_id = for_cart)
   ORDER BY product_id FOR UPDATE;
  UPDATE inventory i SET reserved = i.reserved - r.quantity, sold = i.sold + r.quantity
    FROM reservations r WHERE r.cart_id = for_cart AND i.product_id = r.product_id;
  WITH gone AS (DELETE FROM waitlist_entries WHERE offer_cart_id = for_cart RETURNING offered_units)
  SELECT coalesce(sum(offered_units), 0)::integer INTO claimed FROM gone;
  DELETE FROM reservations WHERE cart_id = for_cart;
  UPDATE carts SET state = 'checked_out', ended_at = now(), version = version + 1
   WHERE id = for_cart AND state = 'active';
  RETURN jsonb_build_object('kind', 'placed', 'orderId', new_order, 'offersClaimed', claimed);
END
$$;
