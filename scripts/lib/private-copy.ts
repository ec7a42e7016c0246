import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A copy of the checkout as a newcomer's clone would be after `npm ci`: the working tree (tracked files
 * with their current changes, and new files git does not ignore) plus every node_modules and the
 * generated Prisma client; without .git, .data, builds or test output. Files are hard-linked where the
 * file system allows it (fast), else copied.
 */
export function copyCheckout(root: string, target: string): void {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const file of listed.split('\0')) {
    const from = join(root, file);
    // listed but deleted in the working tree, or a submodule
    if (!file || !existsSync(from) || !statSync(from).isFile()) continue;
    const to = join(target, file);
    mkdirSync(dirname(to), { recursive: true });
    try {
      linkSync(from, to);
    } catch {
      copyFileSync(from, to);
    }
  }
  for (const dir of [...nodeModulesDirs(root, ''), 'packages/db/generated']) {
    if (!existsSync(join(root, dir))) continue;
    mkdirSync(dirname(join(target, dir)), { recursive: true });
    try {
      execFileSync('cp', ['-al', join(root, dir), join(target, dir)], { stdio: 'pipe' });
    } catch {
      execFileSync('cp', ['-a', join(root, dir), join(target, dir)], { stdio: 'pipe' });
    }
  }
}

/** node_modules at the root and in the workspaces (not inside other node_modules or build output). */
function nodeModulesDirs(root: string, sub: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(root, sub), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = sub ? `${sub}/${entry.name}` : entry.name;
    if (entry.name === 'node_modules') found.push(path);
    else if (!['.git', '.next', '.data', '.turbo', 'test-results', 'dist'].includes(entry.name)) {
      if (path.split('/').length < 3) found.push(...nodeModulesDirs(root, path));
    }
  }
  return found;
}
