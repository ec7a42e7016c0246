import { execFile } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DomainError } from '@portcullis/core/errors';
import { getDb } from '@portcullis/db';
import {
  applyConfig,
  exportConfig,
  ZConfigApplyRequest,
} from '@portcullis/services/verbs/config-as-code/apply';
import type { OrgCtx } from '@portcullis/services/verbs/context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { allowUpstreamHosts, seedOrg, seedUser } from '../../../test/fixtures.ts';

const db = getDb();
const HOST = 'cli-upstream.test';
const BIN = fileURLToPath(new URL('../bin/portcullis.js', import.meta.url));
const STATUS: Record<string, number> = { BAD_REQUEST: 400, NOT_FOUND: 404, CONFLICT: 409, FORBIDDEN: 403 };

async function orgCtx(label: string): Promise<OrgCtx> {
  const owner = await seedUser(db, label);
  const org = await seedOrg(db, owner.id, 'OWNER', label);
  await allowUpstreamHosts(db, [HOST], [org.id]);
  return { db, org: { id: org.id }, actor: { id: owner.id } };
}

/** The two management endpoints, just enough of them: a token names the org it acts for. */
function startServer(tokens: Map<string, OrgCtx>): Promise<Server> {
  const send = (res: ServerResponse, status: number, body: unknown, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const ctx = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!ctx)
      return send(res, 401, { title: 'Unauthorized', code: 'UNAUTHORIZED' }, 'application/problem+json');
    if (req.method === 'GET' && req.url === '/api/v1/config') return send(res, 200, await exportConfig(ctx));
    if (req.method === 'POST' && req.url === '/api/v1/config/apply') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = ZConfigApplyRequest.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      return send(res, 200, await applyConfig(ctx, body.document, body));
    }
    send(res, 404, { title: 'Not found' }, 'application/problem+json');
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!(error instanceof DomainError)) return send(res, 500, { title: 'Internal error' });
      send(
        res,
        STATUS[error.code] ?? 400,
        { title: error.message, code: error.code, errors: error.fields ?? {} },
        'application/problem+json',
      );
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let server: Server;
let url: string;
let configHome: string;
let source: OrgCtx;
let target: OrgCtx;
const tokens = new Map<string, OrgCtx>();

function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: { PATH: process.env.PATH, HOME: configHome, XDG_CONFIG_HOME: configHome, ...env },
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
  tokens.set('pcm_source', source).set('pcm_target', target);
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
  server = await startServer(tokens);
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('portcullis CLI', () => {
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
    const exported = await cli(['export', '-o', join(configHome, 'p.yaml')], as('pcm_source'));
    expect(exported.code).toBe(0);
    const yaml = await readFile(join(configHome, 'p.yaml'), 'utf8');
    expect(parse(yaml)).toEqual(await exportConfig(source));

    const dry = await cli(['apply', '-f', join(configHome, 'p.yaml'), '--dry-run'], as('pcm_target'));
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('+ create api weather');
    expect((await exportConfig(target)).apis).toEqual([]);

    const refused = await cli(['apply', '-f', join(configHome, 'p.yaml')], as('pcm_target'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--yes');

    const applied = await cli(['apply', '-f', join(configHome, 'p.yaml'), '--yes'], as('pcm_target'));
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('+ create plan weather/Pro');
    expect(applied.stdout).toMatch(/Applied \d+ change\(s\)/);
    expect(await exportConfig(target)).toEqual(await exportConfig(source));

    const again = await cli(['apply', '-f', join(configHome, 'p.yaml'), '--yes'], as('pcm_target'));
    expect(again).toMatchObject({ code: 0, stdout: 'No changes.\n' });
  });

  it('prints the portal field errors and YAML positions, exit 1; bad usage exits 2', async () => {
    const bad = join(configHome, 'bad.yaml');
    await writeFile(bad, 'version: 1\napis:\n  - slug: "No Good"\n    name: x\n    upstreamUrl: ftp://x\n');
    const invalid = await cli(['apply', '-f', bad, '--yes'], as('pcm_target'));
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('The configuration document is not valid (BAD_REQUEST)');
    expect(invalid.stderr).toContain('apis.0.slug:');

    await writeFile(bad, 'version: 1\napis: [\n  { slug: a\n');
    const broken = await cli(['apply', '-f', bad], as('pcm_target'));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/bad\.yaml:\d+:\d+: /);

    const unauthorized = await cli(['export'], as('pcm_nobody'));
    expect(unauthorized).toMatchObject({ code: 1 });
    expect(unauthorized.stderr).toContain('Unauthorized (UNAUTHORIZED)');

    expect((await cli(['deploy'])).code).toBe(2);
    expect((await cli(['--help'])).stdout).toContain('portcullis apply -f <file>');
  });
});
