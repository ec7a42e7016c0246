/**
 * The first call a developer makes with a new key: one request that works as it is (the API's first
 * GET operation that needs no parameters, the model list of an AI API, a prompt run), written out for
 * curl and for fetch with the key and the gateway's real URL filled in. Pure, unit-tested.
 */

export interface FirstCall {
  method: 'GET' | 'POST';
  url: string;
  /** JSON body, for POST */
  body?: string;
}

type Operation = {
  parameters?: Array<{ in?: string; required?: boolean }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
};
type Paths = Record<string, Record<string, Operation | undefined> | undefined>;

const pathsOf = (spec: unknown): Paths =>
  spec && typeof spec === 'object' && 'paths' in spec && spec.paths && typeof spec.paths === 'object'
    ? (spec.paths as Paths)
    : {};

/** The first GET without path parameters or required inputs, e.g. `/forecast`; else the API's root. */
export function firstGetPath(spec: unknown): string {
  for (const [path, item] of Object.entries(pathsOf(spec))) {
    const get = item?.get;
    if (!get || path.includes('{')) continue;
    const params = [...((item as Operation).parameters ?? []), ...(get.parameters ?? [])];
    if (params.some((p) => p?.required)) continue;
    return path;
  }
  return '/';
}

/** Example JSON for a prompt API's variables (`POST /v1/run`), from its input schema. */
function promptVariables(spec: unknown): Record<string, unknown> {
  const schema = pathsOf(spec)['/v1/run']?.post?.requestBody?.content?.['application/json']?.schema as
    | { properties?: Record<string, { type?: string } | undefined> }
    | undefined;
  const out: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
    out[name] =
      prop?.type === 'number' || prop?.type === 'integer' ? 1 : prop?.type === 'boolean' ? true : name;
  }
  return out;
}

/** `baseUrl` ends with a slash (e.g. http://gw/acme/weather/); paths are relative to it. */
export function firstCall(kind: string, baseUrl: string, spec: unknown): FirstCall {
  const at = (path: string) => `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  if (kind === 'AI') return { method: 'GET', url: at('v1/models') };
  if (kind === 'PROMPT') {
    return { method: 'POST', url: at('v1/run'), body: JSON.stringify(promptVariables(spec)) };
  }
  return { method: 'GET', url: at(firstGetPath(spec)) };
}

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function curlSnippet(call: FirstCall, key: string): string {
  const lines = [`curl -i ${shellQuote(call.url)}`, `  -H ${shellQuote(`Authorization: Bearer ${key}`)}`];
  if (call.method !== 'GET') lines[0] = `curl -i -X ${call.method} ${shellQuote(call.url)}`;
  if (call.body !== undefined) {
    lines.push(`  -H 'Content-Type: application/json'`, `  -d ${shellQuote(call.body)}`);
  }
  return lines.join(' \\\n');
}

export function fetchSnippet(call: FirstCall, key: string): string {
  const headers =
    call.body === undefined
      ? `{ Authorization: ${JSON.stringify(`Bearer ${key}`)} }`
      : `{\n    Authorization: ${JSON.stringify(`Bearer ${key}`)},\n    'Content-Type': 'application/json',\n  }`;
  const options = [
    ...(call.method === 'GET' ? [] : [`  method: '${call.method}',`]),
    `  headers: ${headers},`,
    ...(call.body === undefined ? [] : [`  body: JSON.stringify(${call.body}),`]),
  ];
  return `// Node 18+ or a browser: save as first-call.mjs, run with node first-call.mjs
const response = await fetch(${JSON.stringify(call.url)}, {
${options.join('\n')}
});
console.log(response.status, await response.text());`;
}
