-- The creation-order column of 0002_rowid.sql for the tables of usage history
-- and alerts: every wsb table on PostgreSQL has one (postgres-schema.test.ts).
ALTER TABLE "org_usage_rollups" ADD COLUMN "rowid" bigint GENERATED ALWAYS AS IDENTITY;--> statement-breakpoint
ALTER TABLE "pool_usage_rollups" ADD COLUMN "rowid" bigint GENERATED ALWAYS AS IDENTITY;--> statement-breakpoint
ALTER TABLE "usage_alerts" ADD COLUMN "rowid" bigint GENERATED ALWAYS AS IDENTITY;
