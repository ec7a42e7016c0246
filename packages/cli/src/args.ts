/** Command-line parsing: a command, its flags, or a usage error (exit code 2). */

export type Command =
  | { name: 'help' }
  | { name: 'login'; url: string; token: string }
  | { name: 'whoami' }
  | { name: 'export'; output: string | undefined }
  | { name: 'apply'; file: string; dryRun: boolean; prune: boolean; yes: boolean };

export class UsageError extends Error {}

interface FlagSpec {
  /** takes a value (`--url x` or `--url=x`) */
  value: boolean;
  short?: string;
}

const FLAGS: Record<string, Record<string, FlagSpec>> = {
  login: { url: { value: true }, token: { value: true } },
  whoami: {},
  export: { output: { value: true, short: 'o' } },
  apply: {
    file: { value: true, short: 'f' },
    'dry-run': { value: false },
    prune: { value: false },
    yes: { value: false, short: 'y' },
  },
};

function parseFlags(command: string, args: string[]): Map<string, string | true> {
  const specs = FLAGS[command] ?? {};
  const out = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else if (/^-[A-Za-z]$/.test(arg)) {
      const short = arg.slice(1);
      const found = Object.entries(specs).find(([, s]) => s.short === short);
      if (!found) throw new UsageError(`unknown option '${arg}' for '${command}'`);
      name = found[0];
    } else {
      throw new UsageError(`unexpected argument '${arg}' for '${command}'`);
    }
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown option '--${name}' for '${command}'`);
    if (!spec.value) {
      if (inline !== undefined) throw new UsageError(`'--${name}' takes no value`);
      out.set(name, true);
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined || value === '') throw new UsageError(`'--${name}' needs a value`);
    out.set(name, value);
  }
  return out;
}

const text = (flags: Map<string, string | true>, name: string) => {
  const value = flags.get(name);
  return typeof value === 'string' ? value : undefined;
};

export function parseArgs(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    return { name: 'help' };
  }
  if (rest.includes('--help') || rest.includes('-h')) return { name: 'help' };
  if (!(command in FLAGS)) throw new UsageError(`unknown command '${command}'`);
  const flags = parseFlags(command, rest);
  switch (command) {
    case 'login': {
      const url = text(flags, 'url');
      const token = text(flags, 'token');
      if (!url || !token) throw new UsageError("'login' needs --url and --token");
      return { name: 'login', url, token };
    }
    case 'export':
      return { name: 'export', output: text(flags, 'output') };
    case 'apply': {
      const file = text(flags, 'file');
      if (!file) throw new UsageError("'apply' needs -f <file> (or -f - for standard input)");
      return {
        name: 'apply',
        file,
        dryRun: flags.has('dry-run'),
        prune: flags.has('prune'),
        yes: flags.has('yes'),
      };
    }
    default:
      return { name: 'whoami' };
  }
}

export const HELP = `portcullis — your Portcullis configuration as code

Usage:
  portcullis login --url <portal url> --token <pcm_...>   store the portal and an API token
  portcullis whoami                                     show the portal and token in use
  portcullis export [-o <file>]                         write the org's configuration (YAML)
  portcullis apply -f <file> [--dry-run] [--prune] [--yes]
                                                        show the changes and apply them

Options:
  --dry-run   only show what would change (checked by the portal, nothing is saved)
  --prune     archive plans, retire APIs and delete prices the file leaves out
  --yes, -y   apply without asking (required when standard input is not a terminal)
  --help, -h  this text

Environment: PORTCULLIS_URL and PORTCULLIS_TOKEN override the stored login.
Exit codes: 0 done, 1 error, 2 wrong usage.
`;
