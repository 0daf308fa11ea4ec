-- SQLite's group_concat(text) on PostgreSQL: the doctor's checks list the ids
-- they find with it (values joined by ',', NULLs skipped, NULL when none), and
-- the same SQL then runs on both engines. Order is not relied on: the doctor
-- sorts the list (doctor/check.ts sortedList).
CREATE FUNCTION wsb_group_concat_step(acc text, value text) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN value IS NULL THEN acc WHEN acc IS NULL THEN value ELSE acc || ',' || value END $$;--> statement-breakpoint
CREATE AGGREGATE group_concat(text) (SFUNC = wsb_group_concat_step, STYPE = text);
