'use client';

import type { ApiMcpConfig } from '@portcullis/core/mcp/config';
import { useMutation } from '@tanstack/react-query';
import { FormProvider } from 'react-hook-form';
import { applyServerErrors } from '../../../../../../../../components/forms/errors';
import { CheckboxField, TextAreaField } from '../../../../../../../../components/forms/fields';
import { SaveBar } from '../../../../../../../../components/forms/save-bar';
import { useDraftForm, useSavedNote } from '../../../../../../../../components/forms/use-draft-form';
import { useTRPC } from '../../../../../../../../trpc/client';
import { AiToolFieldset } from './ai-tool-fieldset';
import { type McpApiKind, mcpErrorField, mcpFormSchema, toMcpDraft } from './mcp-draft';
import { type ToolPreview, ToolsFieldset } from './tools-fieldset';

const TITLES: Record<McpApiKind, string> = {
  REST: 'Operations offered as tools',
  AI: 'Models offered as a tool',
  PROMPT: 'Prompt offered as a tool',
  MCP: 'Tools let through',
};

export interface McpApi {
  id: string;
  kind: McpApiKind;
  config: ApiMcpConfig;
  hasOpenApiSpec: boolean;
  tools: ToolPreview[];
  /** an AI API's model routes (what its chat tool can offer) */
  models: string[];
  problems: { tool: string; message: string }[];
  canWrite: boolean;
}

/**
 * A REST API's operations offered as MCP tools, an AI API's chat tool, a prompt API's run tool, or an
 * MCP API's allow-list of upstream tools.
 */
export function McpForm({
  orgSlug,
  api,
  onSaved,
}: {
  orgSlug: string;
  api: McpApi;
  onSaved: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const form = useDraftForm(mcpFormSchema(api.kind), toMcpDraft(api.config), !api.canWrite);
  const note = useSavedNote(form.formState.isDirty);
  const save = useMutation(
    trpc.policy.updateMcp.mutationOptions({
      onSuccess: async (result) => {
        form.reset(toMcpDraft(result.mcp));
        note.markSaved();
        await onSaved();
      },
      onError: (error) => applyServerErrors(form.setError, error, mcpErrorField(api.kind)),
    }),
  );
  const onSubmit = form.handleSubmit((input) => save.mutate({ orgSlug, apiId: api.id, ...input }));

  return (
    <FormProvider {...form}>
      <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="mcp-title">
        <h2 id="mcp-title">{TITLES[api.kind]}</h2>
        {api.kind === 'REST' ? (
          <>
            <CheckboxField name="enabled" id="mcp-enabled" label="Offer this API as an MCP server" />
            <ToolsFieldset tools={api.tools} problems={api.problems} hasSpec={api.hasOpenApiSpec} />
          </>
        ) : api.kind === 'AI' || api.kind === 'PROMPT' ? (
          <>
            <CheckboxField name="enabled" id="mcp-enabled" label="Offer this API as an MCP server" />
            <AiToolFieldset kind={api.kind} tools={api.tools} models={api.models} problems={api.problems} />
          </>
        ) : (
          <>
            <CheckboxField
              name="allowAllTools"
              id="mcp-allow-all"
              label="Let every tool of the upstream through"
            />
            <TextAreaField
              name="toolsText"
              id="mcp-tools"
              label="Allowed tools"
              errorPath="tools"
              rows={6}
              hint="One tool name per line, as the upstream MCP server lists them. Ignored when every tool is let through."
            />
          </>
        )}
        <SaveBar
          label="Save MCP settings"
          savedText="MCP settings saved"
          saved={note.saved}
          pending={save.isPending}
          error={save.error}
          readOnlyText="Only owners and admins can change the MCP settings."
        />
      </form>
    </FormProvider>
  );
}
