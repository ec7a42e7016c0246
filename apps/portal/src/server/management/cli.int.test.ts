import { execFile } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyConfig, exportConfig } from '@portcullis/services/verbs/config-as-code/apply';
import type { OrgCtx } from '@portcullis/services/verbs/context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { allowUpstreamHosts, seedOrg, seedUser } from '../../../../../test/fixtures';
import { db } from '../test/harness';
import { tokenFor } from './test/client';
import { startManagementServer } from './test/server';

const HOST = 'cli-upstream.test';
const BIN = fileURLToPath(new URL('../../../../../packages/cli/bin/portcullis.js', import.meta.url));

async function orgCtx(label: string): Promise<OrgCtx> {
  const owner = await seedUser(db, label);
  const org = await seedOrg(db, owner.id, 'OWNER', label);
  await allowUpstreamHosts(db, [HOST], [org.id]);
  return { db, org: { id: org.id }, actor: { id: owner.id } };
}

/** An OWNER token of the org with every scope, made through the verb as the portal makes it. */
const ownerToken = async (ctx: OrgCtx) => (await tokenFor(db, ctx.org.id, ctx.actor.id, 'OWNER')).token;

let server: Server;
let url: string;
let configHome: string;
let source: OrgCtx;
let target: OrgCtx;
let sourceToken: string;
let targetToken: string;

function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: {
          NODE_ENV: 'test',
          PATH: process.env.PATH ?? '',
          HOME: configHome,
          XDG_CONFIG_HOME: configHome,
          ...env,
        },
        encoding: 'utf8',
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
const as = (token: string) => ({ PORTCULLIS_URL: url, PORTCULLIS_TOKEN: token });

beforeAll(async () => {
  configHome = await mkdtemp(join(tmpdir(), 'portcullis-cli-'));
  source = await orgCtx('cli-source');
  target = await orgCtx('cli-target');
  sourceToken = await ownerToken(source);
  targetToken = await ownerToken(target);
  await applyConfig(source, {
    version: 1,
    org: { allowAnonymousBrowse: true },
    apis: [
      {
        slug: 'weather',
        name: 'Weather',
        upstreamUrl: `https://${HOST}/v1`,
        status: 'PUBLISHED',
        tags: ['geo'],
        plans: [
          { name: 'Free', rateLimit: 10 },
          { name: 'Pro', monthlyQuota: 5000, requiresApproval: false },
        ],
      },
    ],
  });
  ({ server, base: url } = await startManagementServer(db));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('portcullis CLI against the management API', () => {
  it('login stores the portal and token for the user only; whoami shows them', async () => {
    const login = await cli(['login', '--url', `${url}/`, '--token', 'pcm_source_long_token_1234']);
    expect(login.code).toBe(0);
    const file = join(configHome, 'portcullis', 'config.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ url, token: 'pcm_source_long_token_1234' });
    const who = await cli(['whoami']);
    expect(who.stdout).toContain(`portal: ${url}`);
    expect(who.stdout).toContain('pcm_sour…1234');
    expect(who.stdout).not.toContain('pcm_source_long_token_1234');
  });

  it('export | apply recreates the setup in an empty org; a second apply has nothing to do', async () => {
    const exported = await cli(['export', '-o', join(configHome, 'p.yaml')], as(sourceToken));
    expect(exported.code).toBe(0);
    const yaml = await readFile(join(configHome, 'p.yaml'), 'utf8');
    expect(parse(yaml)).toEqual(await exportConfig(source));

    const dry = await cli(['apply', '-f', join(configHome, 'p.yaml'), '--dry-run'], as(targetToken));
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('+ create api weather');
    expect((await exportConfig(target)).apis).toEqual([]);

    const refused = await cli(['apply', '-f', join(configHome, 'p.yaml')], as(targetToken));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--yes');

    const applied = await cli(['apply', '-f', join(configHome, 'p.yaml'), '--yes'], as(targetToken));
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('+ create plan weather/Pro');
    expect(applied.stdout).toMatch(/Applied \d+ change\(s\)/);
    expect(await exportConfig(target)).toEqual(await exportConfig(source));

    const again = await cli(['apply', '-f', join(configHome, 'p.yaml'), '--yes'], as(targetToken));
    expect(again).toMatchObject({ code: 0, stdout: 'No changes.\n' });
  });

  it('prints the portal field errors and YAML positions, exit 1; bad usage exits 2', async () => {
    const bad = join(configHome, 'bad.yaml');
    await writeFile(bad, 'version: 1\napis:\n  - slug: "No Good"\n    name: x\n    upstreamUrl: ftp://x\n');
    const invalid = await cli(['apply', '-f', bad, '--yes'], as(targetToken));
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('The configuration document is not valid (BAD_REQUEST)');
    expect(invalid.stderr).toContain('apis.0.slug:');

    await writeFile(bad, 'version: 1\napis: [\n  { slug: a\n');
    const broken = await cli(['apply', '-f', bad], as(targetToken));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/bad\.yaml:\d+:\d+: /);

    const unauthorized = await cli(['export'], as('pcm_nobody'));
    expect(unauthorized).toMatchObject({ code: 1 });
    expect(unauthorized.stderr).toContain(
      'Unauthorized: The token is unknown, revoked or expired (UNAUTHORIZED)',
    );

    expect((await cli(['deploy'])).code).toBe(2);
    expect((await cli(['--help'])).stdout).toContain('portcullis apply -f <file>');
  });
});
