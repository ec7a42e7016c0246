/**
 * Creates the next migration from the change to prisma/schema.prisma:
 *   npx tsx scripts/db-diff.ts add_widgets   → prisma/migrations/000N_add_widgets/{migration.sql,schema.prisma}
 * Prisma diffs the last migration's schema snapshot against the current schema (no database needed,
 * so it runs offline with the wasm engine); the snapshot is stored beside the SQL for the next diff.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const MIGRATIONS = join(ROOT, 'prisma/migrations');
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npx tsx scripts/db-diff.ts <snake_case_name>');
  process.exit(2);
}
const dirs = readdirSync(MIGRATIONS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const last = dirs.at(-1);
const from = last ? ['--from-schema-datamodel', join(MIGRATIONS, last, 'schema.prisma')] : ['--from-empty'];
const sql = execFileSync(
  join(ROOT, 'node_modules/.bin/prisma'),
  ['migrate', 'diff', ...from, '--to-schema-datamodel', join(ROOT, 'prisma/schema.prisma'), '--script'],
  { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
);
if (!/\S/.test(sql.replace(/^--.*$/gm, ''))) {
  console.log('schema.prisma has no changes since the last migration');
  process.exit(0);
}
const next = `${String(dirs.length + 1).padStart(4, '0')}_${name}`;
mkdirSync(join(MIGRATIONS, next));
writeFileSync(join(MIGRATIONS, next, 'migration.sql'), sql);
copyFileSync(join(ROOT, 'prisma/schema.prisma'), join(MIGRATIONS, next, 'schema.prisma'));
console.log(`created prisma/migrations/${next}`);
