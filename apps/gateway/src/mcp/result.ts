import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { aiToolAnswer } from '@portcullis/core/mcp/ai-tools';
import type { McpToolDef } from '@portcullis/core/mcp/tools';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { tenantRegExp } from '../policies/openapi-validate.ts';

/** How much of an answer a tool result carries as text; the rest is cut with a note. */
export const MAX_RESULT_TEXT = 256 * 1024;
/**
 * How much of an AI or prompt API's JSON answer is read (a model's answer to a million-token cap fits):
 * its text is then cut to MAX_RESULT_TEXT, so an answer the caller paid for always reaches them.
 */
export const MAX_AI_ANSWER = 16 * 1024 * 1024;
/** How much of a failed answer the error text quotes. */
const ERROR_EXCERPT = 2_048;

/** What came back from the tool's HTTP request through the gateway. */
export interface ToolAnswer {
  status: number;
  contentType: string | undefined;
  retryAfter: string | undefined;
  /** the body, at most MAX_RESULT_TEXT + 1 bytes of it */
  body: string;
  /** true: the body went on beyond what was read */
  truncated: boolean;
  /** the gateway's own problem code (problem+json from the chain), when it refused the call */
  gatewayCode?: string | undefined;
}

// Tenants write these schemas: patterns run on RE2, an unusable schema validates nothing (no structured output).
const ajv = new Ajv2020({
  strict: false,
  validateSchema: false,
  validateFormats: false,
  logger: false,
  code: { regExp: tenantRegExp },
});
const validators = new WeakMap<McpToolDef, ValidateFunction | null>();

function outputValidator(tool: McpToolDef): ValidateFunction | null {
  if (!tool.outputSchema) return null;
  let validate = validators.get(tool);
  if (validate === undefined) {
    try {
      validate = ajv.compile(tool.outputSchema);
    } catch {
      validate = null;
    }
    validators.set(tool, validate);
  }
  return validate;
}

const text = (value: string): CallToolResult['content'][number] => ({ type: 'text', text: value });

export function argumentError(field: string, message: string): CallToolResult {
  return { isError: true, content: [text(`Invalid argument '${field}': ${message}.`)] };
}

export function toolError(message: string): CallToolResult {
  return { isError: true, content: [text(message)] };
}

const isJson = (contentType: string | undefined) =>
  contentType !== undefined && /^application\/([\w.+-]*\+)?json\b/i.test(contentType.trim());

const excerpt = (body: string) => (body.length > ERROR_EXCERPT ? `${body.slice(0, ERROR_EXCERPT)}…` : body);

/**
 * A tool call's answer as an MCP result. Failures (the API's 4xx/5xx, the gateway's refusals) are tool
 * results with isError, so the model sees them; a 429 says when to try again.
 */
export function resultOf(tool: McpToolDef, answer: ToolAnswer): CallToolResult {
  const { status, body } = answer;
  if (status === 429) {
    const retry = answer.retryAfter ? ` Retry after ${answer.retryAfter} seconds.` : ' Retry later.';
    return toolError(`Rate limit or quota reached (HTTP 429).${retry} ${excerpt(body)}`.trim());
  }
  if (status >= 400) {
    const who = answer.gatewayCode
      ? `The gateway refused the call (${answer.gatewayCode})`
      : 'The API answered';
    return toolError(`${who} with HTTP ${status}: ${excerpt(body)}`);
  }
  if (tool.ai) return aiResultOf(tool.ai, answer);
  const shown = answer.truncated
    ? `${body.slice(0, MAX_RESULT_TEXT)}\n[answer cut at ${MAX_RESULT_TEXT} bytes]`
    : body;
  const validate = outputValidator(tool);
  if (!validate) return { content: [text(shown)] };
  // A tool with an output schema owes structured content (MCP spec); without it the call failed.
  const structured = !answer.truncated && isJson(answer.contentType) ? parseJson(body) : undefined;
  if (structured !== undefined && isRecord(structured) && validate(structured)) {
    return { content: [text(shown)], structuredContent: structured };
  }
  return toolError(
    `The API answered HTTP ${status}, but not with JSON matching the tool's output schema: ${excerpt(body)}`,
  );
}

/** An AI or prompt API's answer: the model's text for the agent, the whole as structured content. */
function aiResultOf(ai: NonNullable<McpToolDef['ai']>, answer: ToolAnswer): CallToolResult {
  const parsed = answer.truncated ? undefined : parseJson(answer.body);
  const read = parsed === undefined ? null : aiToolAnswer(ai, parsed);
  if (!read) {
    const why = answer.truncated ? `it was longer than ${MAX_AI_ANSWER} bytes` : 'it could not be read';
    return toolError(`The model answered HTTP ${answer.status}, but ${why}: ${excerpt(answer.body)}`);
  }
  if (read.text.length <= MAX_RESULT_TEXT)
    return { content: [text(read.text)], structuredContent: read.structured };
  const cut = `${read.text.slice(0, MAX_RESULT_TEXT)}\n[answer cut at ${MAX_RESULT_TEXT} characters]`;
  // the structured text is cut alike (an object output stays whole: it is what the schema describes)
  const structured = 'text' in read.structured ? { ...read.structured, text: cut } : read.structured;
  return { content: [text(cut)], structuredContent: structured };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
