import { type ApiMcpConfig, ZApiMcpConfig } from '@portcullis/core/mcp/config';
import { z } from 'zod';
import { lines } from '../../../../../../../../components/forms/draft-text';

/**
 * The MCP form's draft: a REST API's tools (an AI API's model routes) are ticked in a list (`tools`), an
 * MCP API's allow-list is typed one name per line (`toolsText`); a prompt API has no list. All become
 * the server's ZApiMcpConfig.
 */
export interface McpDraft {
  enabled: boolean;
  allowAllTools: boolean;
  tools: string[];
  toolsText: string;
}

export type McpApiKind = 'REST' | 'AI' | 'PROMPT' | 'MCP';

export function toMcpDraft(config: ApiMcpConfig): McpDraft {
  return {
    enabled: config.enabled,
    allowAllTools: config.allowAllTools,
    tools: config.tools,
    toolsText: config.tools.join('\n'),
  };
}

export function mcpFormSchema(kind: McpApiKind) {
  return z
    .object({
      enabled: z.boolean(),
      allowAllTools: z.boolean(),
      tools: z.array(z.string()),
      toolsText: z.string(),
    })
    .transform(
      (draft): z.input<typeof ZApiMcpConfig> => ({
        enabled: kind === 'MCP' ? true : draft.enabled,
        allowAllTools: kind === 'MCP' ? draft.allowAllTools : false,
        tools: kind === 'MCP' ? lines(draft.toolsText) : kind === 'PROMPT' ? [] : draft.tools,
      }),
    )
    .pipe(ZApiMcpConfig);
}

/** Where a server field message goes: an MCP API's tool names are one text area. */
export const mcpErrorField = (kind: McpApiKind) => (path: string) =>
  kind === 'MCP' && path.startsWith('tools') ? 'toolsText' : path.startsWith('tools.') ? 'tools' : path;
