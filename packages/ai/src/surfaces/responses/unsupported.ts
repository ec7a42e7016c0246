/*
 * Responses features the gateway cannot serve over a chat-completions route: OpenAI's hosted tools and
 * server-side state other than stored responses. A request using one is refused with a 400 naming it,
 * rather than answered without it.
 */

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Top-level parameters that need OpenAI-side state or runtime the gateway does not have. */
const UNSUPPORTED_PARAMS: Record<string, (value: unknown) => boolean> = {
  background: (value) => value === true,
  conversation: (value) => value != null,
  prompt: (value) => value != null,
  include: (value) => Array.isArray(value) && value.length > 0,
};

const ITEM_TYPES = new Set(['message', 'function_call', 'function_call_output', 'reasoning']);
const PART_TYPES = new Set(['input_text', 'input_image', 'output_text', 'refusal']);

interface Unsupported {
  message: string;
  param: string;
}

const describe = (value: unknown): string =>
  typeof value === 'string' ? `'${value.slice(0, 64)}'` : (JSON.stringify(value)?.slice(0, 64) ?? 'missing');

function unsupportedPart(part: unknown, param: string): Unsupported | null {
  if (!isRecord(part) || typeof part.type !== 'string') return null; // the schema reports the shape
  if (!PART_TYPES.has(part.type)) {
    return { message: `Content parts of type ${describe(part.type)} are not supported here.`, param };
  }
  if (part.type === 'input_image' && part.image_url == null && part.file_id != null) {
    return { message: 'Images by file_id are not supported here; send image_url.', param };
  }
  return null;
}

function unsupportedItem(item: unknown, param: string): Unsupported | null {
  if (!isRecord(item) || typeof item.type !== 'string') return null;
  if (!ITEM_TYPES.has(item.type)) {
    return { message: `Input items of type ${describe(item.type)} are not supported here.`, param };
  }
  const parts = item.type === 'function_call_output' ? item.output : item.content;
  if (!Array.isArray(parts)) return null;
  for (const [i, part] of parts.entries()) {
    const found = unsupportedPart(part, `${param}.${item.type === 'message' ? 'content' : 'output'}[${i}]`);
    if (found) return found;
  }
  return null;
}

/** The first feature of a Responses request this gateway cannot serve, if any. */
export function unsupportedFeature(body: Record<string, unknown>): Unsupported | null {
  for (const [param, used] of Object.entries(UNSUPPORTED_PARAMS)) {
    if (used(body[param])) return { message: `The '${param}' parameter is not supported here.`, param };
  }
  if (Array.isArray(body.tools)) {
    for (const [i, tool] of body.tools.entries()) {
      if (isRecord(tool) && tool.type !== 'function') {
        return {
          message: `Tools of type ${describe(tool.type)} are not supported here; only function tools are.`,
          param: `tools[${i}].type`,
        };
      }
    }
  }
  const choice = body.tool_choice;
  if (isRecord(choice) && choice.type !== 'function') {
    return {
      message: `tool_choice of type ${describe(choice.type)} is not supported here.`,
      param: 'tool_choice',
    };
  }
  if (Array.isArray(body.input)) {
    for (const [i, item] of body.input.entries()) {
      const found = unsupportedItem(item, `input[${i}]`);
      if (found) return found;
    }
  }
  return null;
}
