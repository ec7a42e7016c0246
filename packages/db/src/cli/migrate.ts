import { requireDatabaseUrl } from '../env.ts';
import { ensureDatabase, migrate } from '../migrate.ts';

const url = requireDatabaseUrl();
await ensureDatabase(url);
const result = await migrate(url);
console.log(
  `migrations applied: ${result.applied.join(', ') || 'none'}; already applied: ${result.skipped.length}`,
);
