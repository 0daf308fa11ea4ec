-- The creation-order column of 0002_rowid.sql for a table made after it: every
-- wsb table on PostgreSQL has one (test/core/postgres-schema.test.ts checks).
ALTER TABLE "tax_rates" ADD COLUMN "rowid" bigint GENERATED ALWAYS AS IDENTITY;
