import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from './args.ts';
import { renderChanges } from './diff.ts';
import { DocumentError, parseDocumentText } from './document.ts';

describe('parseArgs', () => {
  it('reads each command and its flags, long, short and with =', () => {
    expect(parseArgs(['login', '--url', 'https://p.test', '--token=pcm_x'])).toEqual({
      name: 'login',
      url: 'https://p.test',
      token: 'pcm_x',
    });
    expect(parseArgs(['export', '-o', 'out.yaml'])).toEqual({ name: 'export', output: 'out.yaml' });
    expect(parseArgs(['apply', '-f', 'a.yaml', '--dry-run', '--prune', '-y'])).toEqual({
      name: 'apply',
      file: 'a.yaml',
      dryRun: true,
      prune: true,
      yes: true,
    });
    expect(parseArgs([])).toEqual({ name: 'help' });
    expect(parseArgs(['apply', '--help'])).toEqual({ name: 'help' });
  });

  it('refuses unknown commands, unknown flags and missing values as usage errors', () => {
    expect(() => parseArgs(['deploy'])).toThrow(UsageError);
    expect(() => parseArgs(['apply'])).toThrow(/needs -f/);
    expect(() => parseArgs(['apply', '-f'])).toThrow(/needs a value/);
    expect(() => parseArgs(['apply', '-f', 'x', '--force'])).toThrow(/unknown option '--force'/);
    expect(() => parseArgs(['login', '--url', 'https://p.test'])).toThrow(/--url and --token/);
    expect(() => parseArgs(['apply', '-f', 'x', '--prune=yes'])).toThrow(/takes no value/);
  });
});

describe('renderChanges', () => {
  const changes = [
    {
      action: 'create',
      kind: 'api',
      name: 'weather',
      fields: [{ field: 'kind', before: null, after: 'REST' }],
    },
    {
      action: 'update',
      kind: 'plan',
      name: 'weather/Free',
      fields: [{ field: 'rateLimit', before: 10, after: 20 }],
    },
    { action: 'retire', kind: 'api', name: 'old', fields: [] },
  ];

  it('prints one line per change and its fields, plain without a terminal', () => {
    expect(renderChanges(changes, false)).toBe(
      [
        '+ create api weather',
        '    kind: "REST"',
        '~ update plan weather/Free',
        '    rateLimit: 10 → 20',
        '- retire api old',
        '',
        '3 change(s): 1 to create, 1 to update, 1 to archive, retire or delete.',
        '',
      ].join('\n'),
    );
    expect(renderChanges([], false)).toBe('No changes.\n');
  });

  it('colours the changes on a terminal and shortens long values', () => {
    const out = renderChanges(
      [
        {
          action: 'update',
          kind: 'api',
          name: 'a',
          fields: [{ field: 'openapi', before: null, after: { x: 'y'.repeat(200) } }],
        },
      ],
      true,
    );
    expect(out).toContain('\u001b[33m~ update api a\u001b[0m');
    expect(out).toContain('…');
    expect(out.length).toBeLessThan(300);
  });
});

describe('parseDocumentText', () => {
  it('names the line and column of a YAML error', () => {
    expect(() => parseDocumentText('version: 1\napis:\n  - slug: a\n   name: b\n', 'p.yaml')).toThrow(
      DocumentError,
    );
    expect(() => parseDocumentText('version: 1\napis: [\n', 'p.yaml')).toThrow(/^p\.yaml:\d+:\d+: /);
  });
});
