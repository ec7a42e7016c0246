/** The code snippets of the catalog's "How to call" section (pure, unit-tested). */

export function exampleVariables(spec: unknown): Record<string, unknown> {
  const schema = (
    spec as {
      paths?: Record<string, { post?: { requestBody?: { content?: Record<string, { schema?: unknown }> } } }>;
    }
  )?.paths?.['/v1/run']?.post?.requestBody?.content?.['application/json']?.schema as
    | { properties?: Record<string, { type?: string }> }
    | undefined;
  const out: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
    out[name] =
      prop?.type === 'number' || prop?.type === 'integer'
        ? 1
        : prop?.type === 'boolean'
          ? true
          : `your ${name}`;
  }
  return out;
}

export function aiSnippet(baseUrl: string): string {
  return `import OpenAI from 'openai';

const client = new OpenAI({
  baseURL: '${baseUrl}v1',
  apiKey: process.env.PORTCULLIS_KEY, // your API key for this API
});

const completion = await client.chat.completions.create({
  model: 'MODEL', // one of GET ${baseUrl}v1/models
  messages: [{ role: 'user', content: 'Hello!' }],
});
console.log(completion.choices[0].message.content);`;
}

export function promptSnippet(baseUrl: string, spec: unknown): string {
  const body = JSON.stringify(exampleVariables(spec));
  return `curl -X POST '${baseUrl}v1/run' \\
  -H "Authorization: Bearer $PORTCULLIS_KEY" \\
  -H 'Content-Type: application/json' \\
  -d '${body.replace(/'/g, "'\\''")}'
# → {"output": …, "model": "…", "usage": {"prompt_tokens": …, "completion_tokens": …}}`;
}
