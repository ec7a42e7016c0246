import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * The gateway's real import graph, as the production bundle (scripts/build-gateway.ts) resolves it from
 * apps/gateway/src/main.ts: workspace packages followed, npm packages left external. The gateway never
 * loads Stripe, argon2 or Prisma (the lint rules keep the imports out; this checks what they reach).
 */
const root = fileURLToPath(new URL('../', import.meta.url));

async function gatewayGraph(): Promise<{ files: string[]; npm: string[] }> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['apps/gateway/src/main.ts'],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    plugins: [
      {
        name: 'npm-dependencies-stay-external',
        setup(builder) {
          builder.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@portcullis/') ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  const inputs = Object.entries(result.metafile.inputs);
  const npm = new Set<string>();
  for (const [, input] of inputs) {
    for (const imported of input.imports) if (imported.external) npm.add(imported.path);
  }
  return { files: inputs.map(([file]) => file), npm: [...npm].sort() };
}

describe('gateway bundle', () => {
  it('contains neither Stripe, argon2 nor Prisma, nor the packages that bring them', async () => {
    const { files, npm } = await gatewayGraph();
    expect(files).toContain('apps/gateway/src/server.ts');
    expect(npm).toContain('pg');
    expect(npm.filter((name) => /^(stripe|@node-rs\/argon2|@prisma\/|prisma)(\/|$)/.test(name))).toEqual([]);
    expect(
      files.filter((file) =>
        /^packages\/(billing|services)\/|^packages\/db\/(generated\/|src\/index\.ts)/.test(file),
      ),
    ).toEqual([]);
  }, 60_000);
});
