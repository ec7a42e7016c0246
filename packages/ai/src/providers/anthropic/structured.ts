import { UnsupportedRequestError } from '../../errors.ts';
import type { ChatCompletionRequest } from '../../types.ts';
import { isRecord } from '../shared.ts';

/*
 * The Messages API has no `response_format`. Structured output is asked for the way Anthropic documents
 * JSON output: a tool whose input_schema is the wanted schema, with tool_choice making the model call it.
 * The tool's input is the answer, so it comes back as the message content (JSON text), never as a tool
 * call. `json_object` is the same with a schema that allows any object.
 */

interface FormatTool {
  name: string;
  description: string;
  input_schema: Record<string, unknown>;
}

/** json_object has no name of its own; this one is only used when the caller's tools do not take it. */
const JSON_OBJECT_TOOL = 'json_answer';
const DESCRIPTION =
  'Give your final answer by calling this tool: its input is the answer, in the required JSON format.';

/** The format tool's name for a request, or null when it asks for no structured output. */
export function formatToolName(request: ChatCompletionRequest | undefined): string | null {
  const format = request?.response_format;
  if (format?.type === 'json_schema') return format.json_schema.name;
  return format?.type === 'json_object' ? JSON_OBJECT_TOOL : null;
}

/** Tool input is always a JSON object, so only a schema whose root is an object can be expressed. */
function objectSchema(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!schema) return { type: 'object' };
  const type = schema.type;
  if (type === undefined) return { type: 'object', ...schema };
  if (type === 'object') return schema;
  throw new UnsupportedRequestError(
    'response_format.json_schema.schema: Anthropic models return structured output as a tool input, which is a JSON object, so the schema\'s root must have "type": "object" (as OpenAI\'s structured outputs also require).',
    'response_format',
  );
}

function formatToolFor(request: ChatCompletionRequest): FormatTool | null {
  const format = request.response_format;
  if (format?.type === 'json_schema') {
    return {
      name: format.json_schema.name,
      description: format.json_schema.description ?? DESCRIPTION,
      input_schema: objectSchema(format.json_schema.schema),
    };
  }
  if (format?.type === 'json_object') {
    return { name: JSON_OBJECT_TOOL, description: DESCRIPTION, input_schema: { type: 'object' } };
  }
  return null;
}

/**
 * Adds the format tool to a Messages body whose `tools`/`tool_choice` already hold the caller's. Without
 * tools of the caller's (or with tool_choice "none") the format tool is forced; with tools the model may
 * choose ("auto") it is offered beside them and some tool call is required, so the answer is either a
 * call of the caller's or the formatted answer. When the caller requires a call of its own tools, no text
 * answer will come, so there is nothing to format and the body stays as it is.
 */
export function applyResponseFormat(body: Record<string, unknown>, request: ChatCompletionRequest): void {
  const tool = formatToolFor(request);
  if (!tool) return;
  const callerTools = Array.isArray(body.tools) ? body.tools.filter(isRecord) : [];
  const choice = request.tool_choice;
  const hasCallerTools = callerTools.length > 0;
  if (hasCallerTools && (choice === 'required' || typeof choice === 'object')) return;
  if (callerTools.some((t) => t.name === tool.name)) {
    throw new UnsupportedRequestError(
      `response_format: for Anthropic models structured output is a tool named '${tool.name}', and one of the request's tools already has that name; rename one of them.`,
      'response_format',
    );
  }
  body.tools = [...callerTools, tool];
  if (!hasCallerTools || choice === 'none') {
    body.tool_choice = { type: 'tool', name: tool.name };
    return;
  }
  body.tool_choice = {
    type: 'any',
    ...(request.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {}),
  };
}
