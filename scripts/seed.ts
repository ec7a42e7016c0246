import { createDb, requireDatabaseUrl } from '@portcullis/db';
import { seedDemo } from '../prisma/seed.ts';
import { readPlatformEnv } from './lib/env.ts';

const env = readPlatformEnv();
const db = createDb(requireDatabaseUrl());
const world = await seedDemo(db, {
  upstreamUrl: `http://127.0.0.1:${env.ECHO_PORT}`,
  dataDir: env.PORTCULLIS_DATA_DIR,
});
console.log(`seeded demo org "${world.orgSlug}", login ${world.email} / ${world.password}`);
await db.$disconnect();
