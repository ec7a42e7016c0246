'use client';

import { Controller, useFormContext } from 'react-hook-form';
import { EmptyState } from '~/components/ui/empty-state';
import { messageAt } from '../../../../../../../../components/forms/field-messages';
import { ToolDetails } from './tool-details';
import { type ToolPreview, toggle } from './tools-fieldset';

/**
 * An AI API's one tool, `chat`, and the model routes it offers (one checkbox each); a prompt API's one
 * tool, `run`, whose arguments are the prompt's variables. Calls through either count against the
 * caller's token limits and budgets like any call of the API.
 */
export function AiToolFieldset({
  kind,
  tools,
  models,
  problems,
}: {
  kind: 'AI' | 'PROMPT';
  tools: ToolPreview[];
  models: string[];
  problems: { tool: string; message: string }[];
}) {
  const { control, formState } = useFormContext();
  const error = messageAt(formState.errors, 'tools');
  const [tool] = tools;
  if (!tool) {
    return (
      <EmptyState
        title={kind === 'AI' ? 'No model routes yet' : 'The prompt is not configured yet'}
        description={
          kind === 'AI'
            ? 'Add model routes on the Model routes tab; each can then be offered to agents.'
            : (problems[0]?.message ?? 'Save the prompt on the Prompt tab first.')
        }
      />
    );
  }
  return (
    <fieldset className="group" aria-describedby={error ? 'mcp-tools-error' : undefined}>
      <legend>{kind === 'AI' ? 'Models the chat tool offers' : 'The prompt as a tool'}</legend>
      {kind === 'AI' ? (
        <Controller
          control={control}
          name="tools"
          render={({ field }) => {
            const selected = field.value as string[];
            return (
              <ul className="m-0 list-none p-0">
                {models.map((model) => (
                  <li key={model} className="mb-2">
                    <label className="check" htmlFor={`model-${model}`}>
                      <input
                        id={`model-${model}`}
                        type="checkbox"
                        className="accent-accent"
                        disabled={field.disabled}
                        checked={selected.includes(model)}
                        onBlur={field.onBlur}
                        onChange={(e) => field.onChange(toggle(selected, model, e.target.checked))}
                      />
                      <code>{model}</code>
                    </label>
                  </li>
                ))}
              </ul>
            );
          }}
        />
      ) : null}
      <p className="muted text-sm">
        Agents call the tool <code>{tool.name}</code> (<code>{`{api}.${tool.name}`}</code> at an app’s{' '}
        <code>/mcp</code>); each call is a call of this API with the agent’s key, so token limits, budgets,
        guardrails and the AI call log apply to it.
      </p>
      <ToolDetails tool={tool} />
      {error ? (
        <p id="mcp-tools-error" className="field-error m-0 text-sm text-danger">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
