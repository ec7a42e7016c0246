import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { requireDatabaseUrl } from '@portcullis/db';

/**
 * The real portal over HTTP for tests that are about HTTP (cookies, client addresses, next-auth's own
 * endpoints): `next dev` on a free port against the run's database, and a small client that can pick
 * its source address on loopback (127.0.0.x), so one test can be several clients.
 */

const ROOT = resolve(import.meta.dirname, '../../../../..');
const TEST_AUTH_SECRET = 'portcullis-http-test-secret-0123456789abcdef';

export interface PortalServer {
  url: string;
  stop(): Promise<void>;
  /** everything the server printed, for failure messages */
  output(): string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** the client's source address, e.g. 127.0.0.7 */
  from?: string;
}

function call(url: string, options: CallOptions = {}): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ...(options.from ? { localAddress: options.from } : {}),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.setTimeout(180_000, () => req.destroy(new Error(`no answer from ${url} in 180 s`)));
    req.end(options.body);
  });
}

/** Starts `next dev` for the portal and waits until next-auth and tRPC answer (both compiled). */
export async function startPortal(env: Record<string, string> = {}): Promise<PortalServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [
      resolve(ROOT, 'node_modules/next/dist/bin/next'),
      'dev',
      'apps/portal',
      '-p',
      String(port),
      '-H',
      '127.0.0.1',
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        NODE_ENV: 'development',
        NEXT_TELEMETRY_DISABLED: '1',
        DATABASE_URL: requireDatabaseUrl(),
        AUTH_SECRET: TEST_AUTH_SECRET,
        AUTH_URL: url,
        PORTCULLIS_ENCRYPTION_KEY: process.env.PORTCULLIS_ENCRYPTION_KEY ?? '',
        MAIL_DISPATCH_INTERVAL_MS: '600000',
        ...env,
      },
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null && child.signalCode === null && child.pid)
      process.kill(-child.pid, 'SIGKILL');
  };
  const deadline = Date.now() + 240_000;
  for (const path of ['/api/auth/csrf', '/api/trpc/auth.me']) {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`next dev exited (${child.exitCode}):\n${output}`);
      const answer = await call(`${url}${path}`).catch(() => null);
      if (answer?.status === 200) break;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`the portal did not answer ${path} within 240 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return { url, stop, output: () => output };
}

/** One browser: its cookies and source address, against one portal. */
export class Client {
  readonly cookies = new Map<string, string>();

  constructor(
    readonly portal: { url: string },
    readonly from = '127.0.0.1',
  ) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async send(path: string, options: Omit<CallOptions, 'from'> = {}): Promise<Answer> {
    const answer = await call(`${this.portal.url}${path}`, {
      ...options,
      from: this.from,
      headers: { ...(this.cookies.size > 0 ? { cookie: this.cookieHeader() } : {}), ...options.headers },
    });
    const setCookie = answer.headers['set-cookie'] ?? [];
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair = '', ...attributes] = line.split(';');
      const cut = pair.indexOf('=');
      const name = pair.slice(0, cut).trim();
      const value = pair.slice(cut + 1).trim();
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return answer;
  }

  /** The session cookie(s) next-auth set (chunked ones included), to replay elsewhere. */
  sessionCookies(): Map<string, string> {
    return new Map([...this.cookies].filter(([name]) => name.includes('session-token')));
  }

  private async csrfToken(): Promise<string> {
    const answer = await this.send('/api/auth/csrf');
    return (JSON.parse(answer.body) as { csrfToken: string }).csrfToken;
  }

  /** next-auth's credentials sign-in, as its client does; the `code` of a refusal, or 'ok'. */
  async signIn(email: string, password: string, headers: Record<string, string> = {}): Promise<string> {
    const csrfToken = await this.csrfToken();
    const answer = await this.send('/api/auth/callback/credentials', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-auth-return-redirect': '1',
        ...headers,
      },
      body: new URLSearchParams({ email, password, csrfToken, callbackUrl: '/dashboard' }).toString(),
    });
    const target = new URL((JSON.parse(answer.body) as { url: string }).url, this.portal.url);
    if (!target.searchParams.get('error')) return this.sessionCookies().size > 0 ? 'ok' : 'no-session';
    return target.searchParams.get('code') ?? target.searchParams.get('error') ?? 'error';
  }

  async signOut(): Promise<void> {
    const csrfToken = await this.csrfToken();
    await this.send('/api/auth/signout', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-auth-return-redirect': '1' },
      body: new URLSearchParams({ csrfToken, callbackUrl: '/signin' }).toString(),
    });
  }

  /** A tRPC query over HTTP: its status and `json` result (or error). */
  async query(path: string, input?: unknown): Promise<{ status: number; data: unknown; error: unknown }> {
    const search = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
    const answer = await this.send(`/api/trpc/${path}${search}`);
    const parsed = JSON.parse(answer.body) as {
      result?: { data: { json: unknown } };
      error?: { json: unknown };
    };
    return { status: answer.status, data: parsed.result?.data.json, error: parsed.error?.json };
  }

  async mutate(path: string, input?: unknown): Promise<{ status: number; data: unknown; error: unknown }> {
    const answer = await this.send(`/api/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: this.portal.url },
      body: JSON.stringify({ json: input ?? null }),
    });
    const parsed = JSON.parse(answer.body) as {
      result?: { data: { json: unknown } };
      error?: { json: unknown };
    };
    return { status: answer.status, data: parsed.result?.data.json, error: parsed.error?.json };
  }

  /** Another client holding a copy of this one's session cookie (a stolen or backed-up cookie). */
  copy(from = this.from): Client {
    const other = new Client(this.portal, from);
    for (const [name, value] of this.sessionCookies()) other.cookies.set(name, value);
    return other;
  }
}
