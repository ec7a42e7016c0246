import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliEnv } from './env.ts';

/** The stored login: which portal and which management API token. */
export interface Login {
  url: string;
  token: string;
}

export class ConfigError extends Error {}

const configFile = (env: CliEnv) => join(env.configDir, 'config.json');

/** `https://portal.example.com/` → `https://portal.example.com` (http(s) only). */
export function normalizeUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`'${raw}' is not a URL (e.g. https://portal.example.com)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`'${raw}' is not an http:// or https:// URL`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** Saves the login readable by the user only: the token is a credential. */
export async function saveLogin(env: CliEnv, login: Login): Promise<string> {
  await mkdir(env.configDir, { recursive: true, mode: 0o700 });
  const file = configFile(env);
  await writeFile(file, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  // writeFile keeps the mode of a file that already exists.
  await chmod(file, 0o600);
  return file;
}

async function readStored(env: CliEnv): Promise<Partial<Login>> {
  let text: string;
  try {
    text = await readFile(configFile(env), 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed = JSON.parse(text) as Partial<Record<keyof Login, unknown>>;
    return {
      ...(typeof parsed.url === 'string' ? { url: parsed.url } : {}),
      ...(typeof parsed.token === 'string' ? { token: parsed.token } : {}),
    };
  } catch {
    throw new ConfigError(`${configFile(env)} is not valid JSON: run 'portcullis login' again`);
  }
}

/** The login in use: the environment's values over the stored ones. */
export async function resolveLogin(env: CliEnv): Promise<Login & { source: string }> {
  const stored = await readStored(env);
  const url = env.url ?? stored.url;
  const token = env.token ?? stored.token;
  if (!url || !token) {
    throw new ConfigError("Not logged in: run 'portcullis login --url <portal> --token <token>'");
  }
  const source = env.url || env.token ? 'environment' : configFile(env);
  return { url: normalizeUrl(url), token, source };
}

/** `pcm_abcd…wxyz`: enough to recognise a token, not to use it. */
export const tokenHint = (token: string) =>
  token.length <= 12 ? `${token.slice(0, 4)}…` : `${token.slice(0, 8)}…${token.slice(-4)}`;
