import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';

/** A reason `npm start` cannot start, as one sentence that says what to do; printed without a stack. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** The one line printed for a failed start: a StartupError's sentence, else the first line of the error. */
export function describeStartupFailure(error: unknown): string {
  if (error instanceof StartupError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  const first =
    message
      .split('\n')
      .find((line) => line.trim().length > 0)
      ?.trim() ?? 'unknown error';
  return `cannot start: ${first}`;
}

/** Fails with one sentence naming the variable when another program holds one of the ports. */
export async function ensurePortsFree(
  ports: ReadonlyArray<{ variable: string; port: number }>,
): Promise<void> {
  for (const { variable, port } of ports) {
    const problem = await new Promise<string | undefined>((done) => {
      const probe = createServer();
      probe.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
      probe.listen(port, '127.0.0.1', () => probe.close(() => done(undefined)));
    });
    if (problem === 'EADDRINUSE') {
      throw new StartupError(
        `Port ${port} (${variable}) is in use by another program: stop it, or set ${variable} to a free port.`,
      );
    }
    if (problem) throw new StartupError(`Cannot listen on 127.0.0.1:${port} (${variable}): ${problem}.`);
  }
}

/** Resolves once `url` answers below 500; says so, once, when that takes longer than `noticeAfterMs`. */
export async function waitHttp(
  url: string,
  what: string,
  log: (line: string) => void,
  isStopping: () => boolean,
  noticeAfterMs = 120_000,
): Promise<void> {
  const noticeAt = Date.now() + noticeAfterMs;
  let noticed = false;
  while (!isStopping()) {
    try {
      const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5_000) });
      await res.body?.cancel();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    if (!noticed && Date.now() > noticeAt) {
      noticed = true;
      log(`still waiting for the ${what} to answer at ${url}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A secret generated once and kept (mode 600) in the data dir. */
export async function persistentSecret(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
