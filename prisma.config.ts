import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

// The JS schema engine (wasm) runs offline; the binary engines would need a download that this
// network does not allow. The client uses the wasm query compiler + adapter-pg, so the native query
// engine library is never loaded: point the CLI at a placeholder so it does not try to fetch one.
process.env.PRISMA_QUERY_ENGINE_LIBRARY ??= 'node_modules/prisma/package.json';
process.env.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/postgres';
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL }),
});
