// SQLite: the schema source (src/core/store/schema/) and its migrations.
// PostgreSQL's are generated from the same schema by drizzle.postgres.config.ts.
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/core/store/schema/index.ts',
  out: './migrations/sqlite',
})
