/**
 * How to point an MCP client at an app's gateway endpoint, for the clients people use most: an
 * `mcpServers` entry with a Streamable HTTP URL and the key header (Cursor and other clients that speak
 * HTTP), Claude Desktop (which starts local servers only, so the mcp-remote bridge carries the header),
 * and the official TypeScript SDK. Pure, unit-tested.
 */

/** What stands in for the key: keys are shown once, when created. */
const KEY_PLACEHOLDER = 'pk_live_your_key';

/** A server name for client configs: the app's name in lower-case letters, digits and dashes. */
export function mcpServerName(appName: string): string {
  const name = appName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return name === '' ? 'portcullis' : name;
}

export function mcpServersJson(name: string, url: string, key = KEY_PLACEHOLDER): string {
  const config = { mcpServers: { [name]: { url, headers: { Authorization: `Bearer ${key}` } } } };
  return JSON.stringify(config, null, 2);
}

/** mcp-remote expands the variable from its environment, so the key stays out of the argument list. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder mcp-remote fills in
export const MCP_REMOTE_HEADER = 'Authorization:${AUTH_HEADER}';

export function claudeDesktopJson(name: string, url: string, key = KEY_PLACEHOLDER): string {
  const config = {
    mcpServers: {
      [name]: {
        command: 'npx',
        args: ['-y', 'mcp-remote', url, '--header', MCP_REMOTE_HEADER],
        env: { AUTH_HEADER: `Bearer ${key}` },
      },
    },
  };
  return JSON.stringify(config, null, 2);
}

export function sdkSnippet(url: string, key = KEY_PLACEHOLDER): string {
  return [
    "import { Client } from '@modelcontextprotocol/sdk/client/index.js';",
    "import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';",
    '',
    `const transport = new StreamableHTTPClientTransport(new URL(${JSON.stringify(url)}), {`,
    `  requestInit: { headers: { Authorization: ${JSON.stringify(`Bearer ${key}`)} } },`,
    '});',
    "const client = new Client({ name: 'my-agent', version: '1.0.0' });",
    'await client.connect(transport);',
    'const { tools } = await client.listTools();',
    'console.log(tools.map((tool) => tool.name));',
  ].join('\n');
}
