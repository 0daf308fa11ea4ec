-- R-WS-1: a workspace's billing mode is permanent. The core refuses first with
-- MODE_IMMUTABLE; this trigger makes the database refuse too, whoever writes
-- (the same message as SQLite's trigger in migrations/sqlite/0001_mode_immutable.sql).
CREATE FUNCTION "workspaces_mode_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'MODE_IMMUTABLE: a workspace billing mode cannot change' USING ERRCODE = 'check_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "workspaces_mode_immutable"
BEFORE UPDATE OF "mode" ON "workspaces"
FOR EACH ROW WHEN (NEW."mode" IS DISTINCT FROM OLD."mode")
EXECUTE FUNCTION "workspaces_mode_immutable"();
