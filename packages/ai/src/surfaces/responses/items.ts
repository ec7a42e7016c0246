import { createHash } from 'node:crypto';

/*
 * The items of a stored conversation as GET /v1/responses/{id}/input_items lists them: the items the
 * response was generated from — earlier turns of its previous_response_id chain (their input and output)
 * and its own input — without the response's own output. The list pages by item id, so every stored
 * item carries one that stays the same on every read.
 */

type Item = Record<string, unknown>;
/** A stored item as the list shows it: any item shape, always with its id. */
export type ListedItem = Item & { id: string };

const isItem = (value: unknown): value is Item =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** OpenAI's id prefixes per item type; other types (never stored by the gateway) get `item_`. */
const ID_PREFIX: Record<string, string> = {
  message: 'msg',
  function_call: 'fc',
  function_call_output: 'fco',
  reasoning: 'rs',
};

/** A client's own item id is kept up to this length; a longer one is replaced like a missing one. */
const MAX_CLIENT_ITEM_ID = 200;

/**
 * The id of the item at `index` of the conversation stored under `responseId`: derived, not random, so
 * rows stored before items had ids read back with the same ids every time.
 */
function derivedItemId(type: unknown, responseId: string, index: number): string {
  const prefix = (typeof type === 'string' && ID_PREFIX[type]) || 'item';
  const digest = createHash('sha256').update(`${responseId}\u0000${index}`).digest('hex');
  return `${prefix}_${digest.slice(0, 48)}`;
}

const usableId = (id: unknown, seen: ReadonlySet<string>): id is string =>
  typeof id === 'string' && id.length > 0 && id.length <= MAX_CLIENT_ITEM_ID && !seen.has(id);

/**
 * A stored conversation with an id on every item. An item's own id (an earlier response's output fed
 * back, a client's id) is kept when it is the first with that id in the conversation; any other item
 * gets one derived from the response and its position. Ids are unique within the conversation, which
 * paging by `after` needs (a repeated id would page in a loop).
 */
export function withItemIds(items: readonly unknown[], responseId: string): unknown[] {
  const seen = new Set<string>();
  return items.map((item, index) => {
    if (!isItem(item)) return item;
    if (usableId(item.id, seen)) {
      seen.add(item.id);
      return item;
    }
    const id = derivedItemId(item.type, responseId, index);
    seen.add(id);
    return { ...item, id };
  });
}

/** Whether the item has a lifecycle status in OpenAI's item shapes. */
const HAS_STATUS = new Set(['message', 'function_call', 'function_call_output']);

/**
 * An item as the list shows it, in OpenAI's ResponseItem shapes: a message's string content as one
 * text part (`input_text`, or `output_text` for an assistant), and a status on messages and function
 * calls and their outputs (stored items are complete).
 */
function listedItem(item: ListedItem): ListedItem {
  const listed: ListedItem = { ...item };
  if (item.type === 'message' && typeof item.content === 'string') {
    listed.content =
      item.role === 'assistant'
        ? [{ type: 'output_text', text: item.content, annotations: [] }]
        : [{ type: 'input_text', text: item.content }];
  }
  if (typeof item.type === 'string' && HAS_STATUS.has(item.type) && item.status == null) {
    listed.status = 'completed';
  }
  return listed;
}

/**
 * The input items of a stored response, in conversation order: its stored conversation (ids already
 * given by withItemIds) without the response's own output, which the row keeps at its end.
 */
export function storedInputItems(items: unknown, response: unknown): ListedItem[] {
  if (!Array.isArray(items)) return [];
  const output = isItem(response) && Array.isArray(response.output) ? response.output.length : 0;
  return items
    .slice(0, Math.max(0, items.length - output))
    .filter((item): item is ListedItem => isItem(item) && typeof item.id === 'string')
    .map(listedItem);
}
