/**
 * Runs the embedded Postgres as its own process (and process group), so that Ctrl-C in the terminal
 * reaches the gateway and portal first: they drain and flush usage, and only then does the platform
 * stop this process (SIGTERM), which stops Postgres. Prints `ready <url>` once Postgres accepts
 * connections; stops Postgres when its parent goes away (stdin closes).
 *   node --import tsx packages/db/src/cli/embedded.ts <dataDir> <port>
 */
import { startEmbeddedPostgres } from '../embedded.ts';

const [dataDir, port] = process.argv.slice(2);
if (!dataDir || !port || !/^\d+$/.test(port)) {
  console.error('usage: embedded.ts <dataDir> <port>');
  process.exit(2);
}
const database = await startEmbeddedPostgres(dataDir, Number(port));
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await database.stop().catch(() => undefined);
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.stdin.resume();
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
console.log(`ready ${database.url}`);
