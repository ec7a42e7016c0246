import type { RemoteChange } from './http.ts';

/** Readable plan output: `+` create, `~` update, `-` archive/retire/delete; ANSI colours on a terminal. */

const COLORS = { green: 32, yellow: 33, red: 31, dim: 2, bold: 1 } as const;
type Color = keyof typeof COLORS;

const SYMBOL: Record<string, [string, Color]> = {
  create: ['+', 'green'],
  update: ['~', 'yellow'],
  archive: ['-', 'red'],
  retire: ['-', 'red'],
  delete: ['-', 'red'],
};

/** A value on one line, long ones shortened (an OpenAPI document is not worth printing whole). */
function formatValue(value: unknown, max = 80): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function renderChanges(changes: readonly RemoteChange[], color: boolean): string {
  const paint = (c: Color, text: string) => (color ? `\u001b[${COLORS[c]}m${text}\u001b[0m` : text);
  if (changes.length === 0) return 'No changes.\n';
  const lines: string[] = [];
  for (const change of changes) {
    const [symbol, c] = SYMBOL[change.action] ?? ['?', 'bold'];
    lines.push(paint(c, `${symbol} ${change.action} ${change.kind} ${change.name}`));
    for (const f of change.fields) {
      const arrow =
        change.action === 'create'
          ? formatValue(f.after)
          : `${formatValue(f.before)} → ${formatValue(f.after)}`;
      lines.push(`    ${paint('dim', `${f.field}:`)} ${arrow}`);
    }
  }
  const count = (action: string) => changes.filter((ch) => ch.action === action).length;
  const removed = count('archive') + count('retire') + count('delete');
  lines.push(
    '',
    `${changes.length} change(s): ${count('create')} to create, ${count('update')} to update, ${removed} to archive, retire or delete.`,
  );
  return `${lines.join('\n')}\n`;
}

export function renderFieldErrors(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([field, message]) => `  ${field}: ${message}\n`)
    .join('');
}
