import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { type Command, HELP, parseArgs, UsageError } from './args.ts';
import { ConfigError, normalizeUrl, resolveLogin, saveLogin, tokenHint } from './config.ts';
import { renderChanges, renderFieldErrors } from './diff.ts';
import { DocumentError, documentToYaml, parseDocumentText } from './document.ts';
import { type CliEnv, readEnv } from './env.ts';
import { ApiError, fetchConfig, postApply } from './http.ts';

/** Where the CLI writes and reads; tests pass their own. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** standard input's text (for `-f -`) */
  readStdin: () => Promise<string>;
  /** asks a yes/no question on the terminal */
  confirm: (question: string) => Promise<boolean>;
  stdinIsTty: boolean;
  stdoutIsTty: boolean;
}

const processIo = (): Io => ({
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  confirm: async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(question)).trim());
    } finally {
      rl.close();
    }
  },
  stdinIsTty: process.stdin.isTTY === true,
  stdoutIsTty: process.stdout.isTTY === true,
});

async function run(command: Command, env: CliEnv, io: Io): Promise<number> {
  switch (command.name) {
    case 'help':
      io.out(HELP);
      return 0;
    case 'login': {
      const file = await saveLogin(env, { url: normalizeUrl(command.url), token: command.token });
      io.out(`Saved the login for ${normalizeUrl(command.url)} in ${file}\n`);
      return 0;
    }
    case 'whoami': {
      const login = await resolveLogin(env);
      io.out(`portal: ${login.url}\ntoken:  ${tokenHint(login.token)}\nfrom:   ${login.source}\n`);
      return 0;
    }
    case 'export': {
      const yaml = documentToYaml(await fetchConfig(await resolveLogin(env)));
      if (command.output) {
        await writeFile(command.output, yaml);
        io.err(`Wrote ${command.output}\n`);
      } else io.out(yaml);
      return 0;
    }
    case 'apply':
      return apply(command, env, io);
  }
}

async function apply(command: Extract<Command, { name: 'apply' }>, env: CliEnv, io: Io): Promise<number> {
  const text = command.file === '-' ? await io.readStdin() : await readFile(command.file, 'utf8');
  const document = parseDocumentText(text, command.file === '-' ? '<stdin>' : command.file);
  const login = await resolveLogin(env);
  const color = io.stdoutIsTty && !env.noColor;
  // Always a dry run first: the portal checks everything and the user sees the diff.
  const plan = await postApply(login, { document, dryRun: true, prune: command.prune });
  io.out(renderChanges(plan.changes, color));
  const missing = plan.missingCredentials ?? [];
  if (missing.length > 0) {
    io.err(`Missing provider credentials (create them in the portal; secrets are never in the file):\n`);
    for (const m of missing) io.err(`  ${m.name}  (${m.path})\n`);
  }
  if (command.dryRun || plan.changes.length === 0) return missing.length > 0 ? 1 : 0;
  if (missing.length > 0) return 1;
  if (!command.yes) {
    if (!io.stdinIsTty) {
      io.err('Not applied: pass --yes to apply without a terminal to confirm on\n');
      return 1;
    }
    if (!(await io.confirm(`Apply ${plan.changes.length} change(s)? [y/N] `))) {
      io.err('Not applied.\n');
      return 1;
    }
  }
  const result = await postApply(login, { document, dryRun: false, prune: command.prune });
  io.out(result.applied ? `Applied ${result.changes.length} change(s).\n` : 'No changes.\n');
  return 0;
}

/** `portcullis <command>`: returns the process exit code (0 done, 1 error, 2 usage). */
export async function main(args: string[], env: CliEnv = readEnv(), io: Io = processIo()): Promise<number> {
  let command: Command;
  try {
    command = parseArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`portcullis: ${error.message}\nRun 'portcullis --help' for usage.\n`);
    return 2;
  }
  try {
    return await run(command, env, io);
  } catch (error) {
    if (error instanceof ApiError) {
      io.err(`portcullis: ${error.message}${error.code ? ` (${error.code})` : ''}\n`);
      io.err(renderFieldErrors(error.fields));
      return 1;
    }
    if (error instanceof ConfigError || error instanceof DocumentError) {
      io.err(`portcullis: ${error.message}\n`);
      return 1;
    }
    if (error instanceof Error && 'code' in error && typeof error.code === 'string' && 'path' in error) {
      io.err(`portcullis: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
