import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, normalizeUrl, resolveLogin, saveLogin, tokenHint } from './config.ts';
import { readEnv } from './env.ts';

describe('login store', () => {
  it('uses $XDG_CONFIG_HOME, else ~/.config', () => {
    expect(readEnv({ XDG_CONFIG_HOME: '/x', HOME: '/h' }).configDir).toBe('/x/portcullis');
    expect(readEnv({ HOME: '/h' }).configDir).toBe('/h/.config/portcullis');
  });

  it('lets PORTCULLIS_URL and PORTCULLIS_TOKEN override what login stored', async () => {
    const home = await mkdtemp(join(tmpdir(), 'portcullis-cfg-'));
    const env = readEnv({ XDG_CONFIG_HOME: home });
    await expect(resolveLogin(env)).rejects.toThrow(ConfigError);
    await saveLogin(env, { url: 'https://stored.test', token: 'pcm_stored' });
    expect(await resolveLogin(env)).toMatchObject({ url: 'https://stored.test', token: 'pcm_stored' });
    const overridden = readEnv({ XDG_CONFIG_HOME: home, PORTCULLIS_TOKEN: 'pcm_env' });
    expect(await resolveLogin(overridden)).toMatchObject({
      url: 'https://stored.test',
      token: 'pcm_env',
      source: 'environment',
    });
    const both = readEnv({
      XDG_CONFIG_HOME: home,
      PORTCULLIS_URL: 'http://env.test/',
      PORTCULLIS_TOKEN: 't',
    });
    expect(await resolveLogin(both)).toMatchObject({ url: 'http://env.test', token: 't' });
  });

  it('accepts only http(s) portal URLs and never prints a whole token', () => {
    expect(normalizeUrl('https://portal.test/')).toBe('https://portal.test');
    expect(() => normalizeUrl('portal.test')).toThrow(/not a URL/);
    expect(() => normalizeUrl('ftp://portal.test')).toThrow(/http/);
    expect(tokenHint('pcm_0123456789abcdef')).toBe('pcm_0123…cdef');
  });
});
