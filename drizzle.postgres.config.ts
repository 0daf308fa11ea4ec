// PostgreSQL: tables derived from the SQLite schema (src/core/store/postgres/schema.ts),
// migrations applied on connect by src/core/store/postgres/migrate.ts.
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/core/store/postgres/schema.ts',
  out: './migrations/postgres',
})
