/**
 * Decodes Stripe's v1 form encoding: `application/x-www-form-urlencoded` with bracket paths
 * (`recurring[interval]=month`, `items[0][price]=price_1`, `expand[0]=tiers`), which is what
 * stripe-node produces with qs's "indices" array format. Objects whose keys are all indices 0..n-1
 * become arrays, as Stripe reads them.
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

export class FormDecodeError extends Error {}

type Node = Map<string, Node | string>;

const KEY_PATTERN = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;

export function decodeStripeForm(encoded: string): FormObject {
  const root: Node = new Map();
  for (const [rawKey, value] of new URLSearchParams(encoded)) {
    const match = KEY_PATTERN.exec(rawKey);
    if (!match) throw new FormDecodeError(`Invalid parameter name: ${rawKey}`);
    const segments = [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)];
    insert(root, segments, value, rawKey);
  }
  return toPlain(root) as FormObject;
}

function insert(root: Node, segments: string[], value: string, rawKey: string): void {
  let node = root;
  for (let i = 0; i < segments.length; i++) {
    // `a[]=x` (qs "brackets" format) appends; stripe-node sends explicit indices but curl users do not.
    const segment = segments[i] === '' ? String(node.size) : segments[i]!;
    const last = i === segments.length - 1;
    const existing = node.get(segment);
    if (last) {
      if (existing !== undefined) throw new FormDecodeError(`Parameter given more than once: ${rawKey}`);
      node.set(segment, value);
      return;
    }
    if (typeof existing === 'string') {
      throw new FormDecodeError(`Invalid parameter: ${rawKey} mixes a value and a hash`);
    }
    if (existing) {
      node = existing;
    } else {
      const child: Node = new Map();
      node.set(segment, child);
      node = child;
    }
  }
}

function toPlain(node: Node | string): FormValue {
  if (typeof node === 'string') return node;
  const keys = [...node.keys()];
  const isArray = keys.length > 0 && keys.every((key) => /^(0|[1-9]\d*)$/.test(key));
  if (isArray) {
    const indices = keys.map(Number).sort((a, b) => a - b);
    if (indices.some((index, position) => index !== position)) {
      throw new FormDecodeError('Array indices must be contiguous from 0');
    }
    return indices.map((index) => toPlain(node.get(String(index))!));
  }
  // Object.fromEntries defines own properties, so a `__proto__` key cannot reach the prototype.
  return Object.fromEntries(keys.map((key) => [key, toPlain(node.get(key)!)]));
}
