/** A stored response, or (under a primary key) a pointer saying which headers the response varies on. */
export type CacheRecord =
  | {
      kind: 'response';
      status: number;
      headers: Record<string, string | string[]>;
      body: Buffer;
      storedAt: number;
      expiresAt: number;
    }
  | { kind: 'vary'; vary: string[]; expiresAt: number };

export type CachedResponse = Extract<CacheRecord, { kind: 'response' }>;

/** Wire form for Redis: 4-byte length of the JSON head, the head, then the raw body. */
export function encodeRecord(record: CacheRecord): Buffer {
  const { body, ...head } = record.kind === 'response' ? record : { ...record, body: undefined };
  const headBytes = Buffer.from(JSON.stringify(head));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(headBytes.length);
  return Buffer.concat([length, headBytes, body ?? Buffer.alloc(0)]);
}

export function decodeRecord(bytes: Buffer): CacheRecord | null {
  try {
    const headLength = bytes.readUInt32BE(0);
    const head = JSON.parse(bytes.subarray(4, 4 + headLength).toString('utf8')) as CacheRecord;
    if (head.kind === 'vary') return head;
    if (head.kind === 'response') return { ...head, body: Buffer.from(bytes.subarray(4 + headLength)) };
    return null;
  } catch {
    return null;
  }
}

export const recordBytes = (record: CacheRecord): number =>
  record.kind === 'response' ? record.body.length + JSON.stringify(record.headers).length + 64 : 64;
