-- Plain PostgreSQL where SQLite's ways were imitated, and the metering path of
-- issue 24 (READ COMMITTED with row locks, one round trip to lock and load).
--
-- 1. Creation order. The tables the core lists in the order rows were made keep
--    a `seq` identity column (it was called rowid); the core asks the store for
--    the column (Db.creationOrder). Tables with an integer key order by it, and
--    the others never order by creation: their column goes (one sequence draw
--    less per insert, on the counters and the ledger too).
ALTER TABLE "workspaces" RENAME COLUMN "rowid" TO "seq";--> statement-breakpoint
ALTER TABLE "organizations" RENAME COLUMN "rowid" TO "seq";--> statement-breakpoint
ALTER TABLE "products" RENAME COLUMN "rowid" TO "seq";--> statement-breakpoint
ALTER TABLE "prices" RENAME COLUMN "rowid" TO "seq";--> statement-breakpoint
ALTER TABLE "coupons" RENAME COLUMN "rowid" TO "seq";--> statement-breakpoint
ALTER TABLE "billing_accounts" RENAME COLUMN "rowid" TO "seq";--> statement-breakpoint
ALTER TABLE "payment_methods" RENAME COLUMN "rowid" TO "seq";--> statement-breakpoint
ALTER TABLE "subscriptions" RENAME COLUMN "rowid" TO "seq";--> statement-breakpoint
ALTER TABLE "invoices" RENAME COLUMN "rowid" TO "seq";--> statement-breakpoint
ALTER SEQUENCE "workspaces_rowid_seq" RENAME TO "workspaces_seq_seq";--> statement-breakpoint
ALTER SEQUENCE "organizations_rowid_seq" RENAME TO "organizations_seq_seq";--> statement-breakpoint
ALTER SEQUENCE "products_rowid_seq" RENAME TO "products_seq_seq";--> statement-breakpoint
ALTER SEQUENCE "prices_rowid_seq" RENAME TO "prices_seq_seq";--> statement-breakpoint
ALTER SEQUENCE "coupons_rowid_seq" RENAME TO "coupons_seq_seq";--> statement-breakpoint
ALTER SEQUENCE "billing_accounts_rowid_seq" RENAME TO "billing_accounts_seq_seq";--> statement-breakpoint
ALTER SEQUENCE "payment_methods_rowid_seq" RENAME TO "payment_methods_seq_seq";--> statement-breakpoint
ALTER SEQUENCE "subscriptions_rowid_seq" RENAME TO "subscriptions_seq_seq";--> statement-breakpoint
ALTER SEQUENCE "invoices_rowid_seq" RENAME TO "invoices_seq_seq";--> statement-breakpoint
ALTER TABLE "account_discounts" DROP COLUMN "rowid";--> statement-breakpoint
ALTER TABLE "credit_entries" DROP COLUMN "rowid";--> statement-breakpoint
ALTER TABLE "due_steps" DROP COLUMN "rowid";--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "rowid";--> statement-breakpoint
ALTER TABLE "invoice_lines" DROP COLUMN "rowid";--> statement-breakpoint
ALTER TABLE "notifications" DROP COLUMN "rowid";--> statement-breakpoint
ALTER TABLE "org_limits" DROP COLUMN "rowid";--> statement-breakpoint
ALTER TABLE "payment_attempts" DROP COLUMN "rowid";--> statement-breakpoint
ALTER TABLE "pending_lines" DROP COLUMN "rowid";--> statement-breakpoint
ALTER TABLE "pool_usage" DROP COLUMN "rowid";--> statement-breakpoint
ALTER TABLE "scheduled_changes" DROP COLUMN "rowid";--> statement-breakpoint
ALTER TABLE "subscription_items" DROP COLUMN "rowid";--> statement-breakpoint
ALTER TABLE "tax_rates" DROP COLUMN "rowid";--> statement-breakpoint
ALTER TABLE "usage_ledger" DROP COLUMN "rowid";--> statement-breakpoint
ALTER TABLE "usage_levels" DROP COLUMN "rowid";--> statement-breakpoint
ALTER TABLE "org_usage_rollups" DROP COLUMN "rowid";--> statement-breakpoint
ALTER TABLE "pool_usage_rollups" DROP COLUMN "rowid";--> statement-breakpoint
ALTER TABLE "usage_alerts" DROP COLUMN "rowid";--> statement-breakpoint
ALTER TABLE "usage_rejection_bindings" DROP COLUMN "rowid";--> statement-breakpoint
-- 2. The doctor lists ids with string_agg(x, ','), which SQLite has too.
DROP AGGREGATE "group_concat"(text);--> statement-breakpoint
DROP FUNCTION "wsb_group_concat_step"(text, text);--> statement-breakpoint
-- 3. A version per workspace of what metering resolves a report against: the
--    org tree (names, parents) and which account serves which top-level org.
--    Every change bumps it (statement triggers, whoever writes), so a process
--    may keep what it resolved while the version stays the same.
CREATE TABLE "wsb_tree_versions" (
  "workspace_id" text PRIMARY KEY REFERENCES "workspaces"("id") ON DELETE CASCADE,
  "version" bigint NOT NULL
);--> statement-breakpoint
CREATE FUNCTION "wsb_tree_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO wsb_tree_versions (workspace_id, version)
  SELECT DISTINCT workspace_id, 1 FROM changed ORDER BY workspace_id
  ON CONFLICT (workspace_id) DO UPDATE SET version = wsb_tree_versions.version + 1;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "organizations_inserted" AFTER INSERT ON "organizations" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "wsb_tree_changed"();--> statement-breakpoint
CREATE TRIGGER "organizations_updated" AFTER UPDATE ON "organizations" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "wsb_tree_changed"();--> statement-breakpoint
CREATE TRIGGER "organizations_deleted" AFTER DELETE ON "organizations" REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "wsb_tree_changed"();--> statement-breakpoint
CREATE TRIGGER "billing_accounts_inserted" AFTER INSERT ON "billing_accounts" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "wsb_tree_changed"();--> statement-breakpoint
CREATE TRIGGER "billing_accounts_updated" AFTER UPDATE ON "billing_accounts" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "wsb_tree_changed"();--> statement-breakpoint
CREATE TRIGGER "billing_accounts_deleted" AFTER DELETE ON "billing_accounts" REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "wsb_tree_changed"();--> statement-breakpoint
-- 4. What a batch of reports reads and locks, in one call (src/core/store/postgres/meter-store.ts).
--    The caller's transaction is READ COMMITTED: each statement below sees what
--    was committed when it starts, so what is read after the locks (capacity,
--    limits, alerts, claimed keys) is current while the locks are held.
--    a. The workspace's metering lock, shared: writes that change a capacity, a
--       limit or the tree take it exclusively (Db.excludeMetering), so while a
--       batch holds it none of those can commit, and it waits for any under way.
--    b. The tree version: when the caller's cache is older, it is told so before
--       anything else is locked, and asks again naming every report's reference.
--    c. The orgs the reports can name (by id, by lower(name) through the index
--       organizations_name, every org with a non-ASCII name only when a
--       reference has one) and all their ancestors, in creation order.
--    d. The counter rows, locked: the pools' rows, then the orgs' rows, each in
--       key order, so batches queue on them and never deadlock. A row not there
--       yet is made by the batch's persist, which fails (to run again) if
--       another batch made it meanwhile.
--    e. Read after the locks: capacity, limits, alerts, claimed keys. Capacity,
--       limits and alerts of every product: a Meter kept across batches of one
--       transaction (apply) keeps what it read per pool and per org.
--    f. Ledger ids, a block of p.n: nextval once and setval past the block, under
--       a session advisory lock held for those two calls only (every ledger id
--       on PostgreSQL is drawn here).
CREATE FUNCTION "wsb_meter_load"(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  ws text := p->>'ws';
  ver bigint;
  wanted text[];
  names text[];
  folds text[];
  ids text[] := ARRAY(SELECT jsonb_array_elements_text(p->'ids'));
  keys text[] := ARRAY(SELECT jsonb_array_elements_text(p->'keys'));
  org_ids text[];
  pool_ids text[];
  orgs jsonb;
  accounts jsonb;
  pools jsonb;
  counters jsonb;
  capacity jsonb;
  limits jsonb;
  alerts jsonb;
  claimed jsonb;
  first_id bigint;
  n bigint := coalesce((p->>'n')::bigint, 0);
BEGIN
  PERFORM pg_advisory_xact_lock_shared(2004050509, hashtext(ws));
  ver := coalesce((SELECT version FROM wsb_tree_versions WHERE workspace_id = ws), 0);
  IF p->>'v' IS NOT NULL AND (p->>'v')::bigint <> ver THEN
    RETURN jsonb_build_object('stale', true, 'v', ver);
  END IF;
  wanted := ARRAY(SELECT key FROM products WHERE workspace_id = ws AND key IN (SELECT jsonb_array_elements_text(p->'products')) ORDER BY key);
  names := ARRAY(SELECT lower(x) FROM jsonb_array_elements_text(p->'names') x);
  IF (p->>'scan')::boolean THEN
    folds := ARRAY(SELECT jsonb_array_elements_text(p->'folds'));
    WITH RECURSIVE hit AS (
      SELECT o.id FROM organizations o WHERE o.workspace_id = ws AND o.id = ANY(ids)
      UNION SELECT o.id FROM organizations o WHERE o.workspace_id = ws AND lower(o.name) = ANY(names)
      UNION SELECT o.id FROM organizations o WHERE o.workspace_id = ws AND (o.name ~ '[^\x01-\x7f]' OR lower(o.name COLLATE "C") = ANY(folds))
    ), chain AS (
      SELECT o.id, o.name, o.parent_id, o.seq FROM organizations o WHERE o.id IN (SELECT id FROM hit)
      UNION SELECT o.id, o.name, o.parent_id, o.seq FROM organizations o JOIN chain c ON o.id = c.parent_id
    )
    SELECT coalesce(jsonb_agg(jsonb_build_array(id, name, parent_id) ORDER BY seq), '[]'), coalesce(array_agg(id ORDER BY id), '{}') INTO orgs, org_ids FROM chain;
  ELSE
    WITH RECURSIVE hit AS (
      SELECT o.id FROM organizations o WHERE o.workspace_id = ws AND o.id = ANY(ids)
      UNION SELECT o.id FROM organizations o WHERE o.workspace_id = ws AND lower(o.name) = ANY(names)
    ), chain AS (
      SELECT o.id, o.name, o.parent_id, o.seq FROM organizations o WHERE o.id IN (SELECT id FROM hit)
      UNION SELECT o.id, o.name, o.parent_id, o.seq FROM organizations o JOIN chain c ON o.id = c.parent_id
    )
    SELECT coalesce(jsonb_agg(jsonb_build_array(id, name, parent_id) ORDER BY seq), '[]'), coalesce(array_agg(id ORDER BY id), '{}') INTO orgs, org_ids FROM chain;
  END IF;
  SELECT coalesce(jsonb_agg(jsonb_build_array(a.id, a.organization_id) ORDER BY a.id), '[]'), coalesce(array_agg(a.id ORDER BY a.id), '{}') INTO accounts, pool_ids
    FROM billing_accounts a WHERE a.workspace_id = ws AND a.organization_id = ANY(org_ids);
  IF (p->>'mode') <> 'assigned' THEN
    pool_ids := CASE WHEN cardinality(org_ids) > 0 THEN ARRAY[ws] ELSE '{}' END;
  END IF;
  SELECT coalesce(jsonb_agg(jsonb_build_array(pool_id, product, used, roll_hour, peak, accepted, rejected_capacity, rejected_limit, rejected_other, roll_capacity)), '[]') INTO pools
    FROM (SELECT * FROM pool_usage WHERE pool_id = ANY(pool_ids) AND product = ANY(wanted) ORDER BY pool_id, product FOR UPDATE) u;
  SELECT coalesce(jsonb_agg(jsonb_build_array(org_id, product, level, subtree, roll_hour, peak, accepted, rejected_capacity, rejected_limit, rejected_other,
      sub_peak, sub_accepted, sub_rejected_capacity, sub_rejected_limit, sub_rejected_other, roll_limit, roll_capacity)), '[]') INTO counters
    FROM (SELECT * FROM usage_levels WHERE org_id = ANY(org_ids) AND product = ANY(wanted) ORDER BY org_id, product FOR UPDATE) l;
  SELECT coalesce(jsonb_agg(jsonb_build_array(c.account_id, c.product, c.quantity) ORDER BY c.account_id, c.product), '[]') INTO capacity FROM (
    SELECT s.account_id, i.product, sum(i.quantity)::bigint AS quantity
    FROM subscription_items i JOIN subscriptions s ON s.id = i.subscription_id
    WHERE s.workspace_id = ws AND s.status IN ('trialing', 'active', 'past_due') AND ((p->>'mode') <> 'assigned' OR s.account_id = ANY(pool_ids))
    GROUP BY s.account_id, i.product) c;
  SELECT coalesce(jsonb_agg(jsonb_build_array(l.org_id, l.product, l."limit")), '[]') INTO limits FROM org_limits l WHERE l.org_id = ANY(org_ids);
  SELECT coalesce(jsonb_agg(jsonb_build_array(id, scope_kind, scope_id, product, percent, armed) ORDER BY scope_id, product, percent), '[]') INTO alerts
    FROM usage_alerts WHERE workspace_id = ws;
  -- Planned at each call (EXECUTE): a plan kept from when the ledger was nearly empty would scan it whole once it is not.
  EXECUTE $q$SELECT coalesce(jsonb_agg(jsonb_build_array(id, org_id, product, kind, value, delta, level_after, headroom_after, binding_kind, binding_id, at, key)), '[]')
    FROM usage_ledger WHERE workspace_id = $1 AND key = ANY($2) AND key IS NOT NULL AND outcome = 'accepted'$q$ INTO claimed USING ws, keys;
  IF n > 0 THEN
    PERFORM pg_advisory_lock(2004050505, 0);
    first_id := nextval('usage_ledger_id_seq'::regclass);
    IF n > 1 THEN PERFORM setval('usage_ledger_id_seq'::regclass, first_id + n - 1); END IF;
    PERFORM pg_advisory_unlock(2004050505, 0);
  END IF;
  RETURN jsonb_build_object('v', ver, 'orgs', orgs, 'accounts', accounts, 'products', to_jsonb(wanted), 'pools', pools, 'counters', counters,
    'capacity', capacity, 'limits', limits, 'alerts', alerts, 'claimed', claimed, 'first', first_id);
END
$$;
--> statement-breakpoint
-- 5. A batch's write fails as a serialization failure (and runs again) when it
--    did not write every counter row it meant to: one it found missing at load
--    was made by another batch meanwhile. Raised inside the statement, so a
--    write sent together with its COMMIT never commits half right.
CREATE FUNCTION "wsb_meter_retry"(why text) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', why USING ERRCODE = 'serialization_failure';
END
$$;
