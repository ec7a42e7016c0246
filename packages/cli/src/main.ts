/** `portcullis <command>`: returns the process exit code. */
export async function main(args: string[]): Promise<number> {
  process.stderr.write(`portcullis: unknown command '${args[0] ?? ''}'\n`);
  return 2;
}
