-- The creation-order column of 0002_rowid.sql for the rejection bindings of
-- usage report --rejections: every wsb table on PostgreSQL has one (postgres-schema.test.ts).
ALTER TABLE "usage_rejection_bindings" ADD COLUMN "rowid" bigint GENERATED ALWAYS AS IDENTITY;
