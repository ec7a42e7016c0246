import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/** The only reader of process.env in the CLI. */
export interface CliEnv {
  /** overrides the stored portal URL */
  url: string | undefined;
  /** overrides the stored token */
  token: string | undefined;
  /** where config.json lives: $XDG_CONFIG_HOME/portcullis or ~/.config/portcullis */
  configDir: string;
  /** NO_COLOR (https://no-color.org) turns colours off even on a terminal */
  noColor: boolean;
}

/** Blank counts as unset, as shells make it easy to export an empty variable. */
const ZOptional = z
  .string()
  .optional()
  .transform((value) => value?.trim() || undefined);

const ZEnv = z.object({
  PORTCULLIS_URL: ZOptional,
  PORTCULLIS_TOKEN: ZOptional,
  XDG_CONFIG_HOME: ZOptional,
  HOME: ZOptional,
  NO_COLOR: ZOptional,
});

export function readEnv(raw: NodeJS.ProcessEnv = process.env): CliEnv {
  const env = ZEnv.parse(raw);
  const base = env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), '.config');
  return {
    url: env.PORTCULLIS_URL,
    token: env.PORTCULLIS_TOKEN,
    configDir: join(base, 'portcullis'),
    noColor: env.NO_COLOR !== undefined,
  };
}
