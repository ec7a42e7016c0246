/**
 * Runs the embedded Postgres as its own process (and process group), so that Ctrl-C in the terminal
 * reaches the gateway and portal first: they drain and flush usage, and only then does the platform
 * stop this process (SIGTERM), which stops Postgres. Prints `ready <url> <pid> <clusterDir>` once
 * Postgres accepts connections; stops Postgres when its parent goes away (stdin closes), and exits 1
 * if Postgres stops by itself (the platform starts it again). Any failure is one line on stderr.
 *   node --import tsx packages/db/src/cli/embedded.ts <dataDir> <port>
 */
import { EmbeddedPostgresError, startEmbeddedPostgres } from '../embedded.ts';

const [dataDir, port] = process.argv.slice(2);
if (!dataDir || !port || !/^\d+$/.test(port)) {
  console.error('usage: embedded.ts <dataDir> <port>');
  process.exit(2);
}

let stopping = false;
const database = await startEmbeddedPostgres(dataDir, Number(port)).catch((error: unknown) => {
  const message =
    error instanceof EmbeddedPostgresError
      ? error.message
      : `The embedded Postgres could not start: ${(error as Error).message.split('\n')[0]}`;
  console.error(message);
  process.exit(1);
});

const stop = async () => {
  if (stopping) return;
  stopping = true;
  await database.stop().catch(() => undefined);
  process.exit(0);
};
void database.exited.then(() => {
  if (stopping) return;
  console.error(`Postgres (pid ${database.pid}) stopped by itself; see ${database.clusterDir}/log`);
  process.exit(1);
});
process.stdin.on('end', () => void stop());
process.stdin.resume();
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
console.log(`ready ${database.url} ${database.pid} ${database.clusterDir}`);
