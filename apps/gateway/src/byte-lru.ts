/**
 * An LRU bounded by total bytes (Map insertion order is the recency order): the in-process level of the
 * response cache and of the AI response cache, and every store of the config cache. The caller states
 * each entry's size; `approximateBytes` estimates it for plain data.
 */
export class ByteLru<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private used = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, bytes });
    this.used += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.used -= entry.bytes;
    }
  }

  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.used -= entry.bytes;
    return true;
  }

  /** Deletes the entries the predicate picks; returns how many went. */
  deleteWhere(predicate: (key: string, value: V) => boolean): number {
    let deleted = 0;
    for (const [key, entry] of [...this.entries]) {
      if (predicate(key, entry.value) && this.delete(key)) deleted++;
    }
    return deleted;
  }

  /** Every value, least recently used first, without touching recency. */
  *values(): IterableIterator<V> {
    for (const entry of this.entries.values()) yield entry.value;
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  get budget(): number {
    return this.maxBytes;
  }
}

// V8 on 64-bit: an object's header is 3 words (map, properties, elements), then 8 bytes per in-object
// field; a string's header is 16 bytes. Characters count 2 bytes each, as if every string were two-byte
// (V8 stores ASCII in one byte, so the estimate errs high). Numbers outside the 31-bit range are boxed.
const OBJECT_HEADER = 24;
const FIELD = 8;
const STRING_HEADER = 16;
const ARRAY_HEADER = 32;
const HEAP_NUMBER = 16;

/** Bytes a string takes on the V8 heap, counting characters at 2 bytes. */
export const stringBytes = (value: string): number => STRING_HEADER + 2 * value.length;

/**
 * An estimate of the heap bytes plain data (what JSON.parse and the config repository produce) holds:
 * strings, numbers, arrays and objects, walked in full. Property names are not counted (V8 shares them
 * through the objects' shapes and its string table).
 */
export function approximateBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return stringBytes(value);
    case 'number':
      return Number.isInteger(value) && Math.abs(value) < 2 ** 30 ? 0 : HEAP_NUMBER;
    case 'object': {
      if (value === null) return 0;
      if (Array.isArray(value)) {
        let bytes = ARRAY_HEADER + FIELD * value.length;
        for (const item of value) bytes += approximateBytes(item);
        return bytes;
      }
      let bytes = OBJECT_HEADER;
      for (const key in value) {
        bytes += FIELD + approximateBytes((value as Record<string, unknown>)[key]);
      }
      return bytes;
    }
    default:
      return 0;
  }
}
