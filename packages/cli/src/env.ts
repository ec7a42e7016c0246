import { homedir } from 'node:os';
import { join } from 'node:path';

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

export function readEnv(env: NodeJS.ProcessEnv = process.env): CliEnv {
  const base = env.XDG_CONFIG_HOME?.trim() || join(env.HOME?.trim() || homedir(), '.config');
  return {
    url: env.PORTCULLIS_URL?.trim() || undefined,
    token: env.PORTCULLIS_TOKEN?.trim() || undefined,
    configDir: join(base, 'portcullis'),
    noColor: env.NO_COLOR !== undefined && env.NO_COLOR !== '',
  };
}
