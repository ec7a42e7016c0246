/** Drops and re-creates the database named in the URL given as the first argument (test runs only). */
import pg from 'pg';

const target = process.argv[2];
if (!target) {
  console.error('usage: tsx scripts/reset-db.ts postgresql://…/name');
  process.exit(2);
}
const url = new URL(target);
const name = decodeURIComponent(url.pathname.slice(1));
url.pathname = '/postgres';
const client = new pg.Client({ connectionString: url.toString() });
await client.connect();
await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
await client.query(`CREATE DATABASE "${name}"`);
await client.end();
console.log(`reset database ${name}`);
