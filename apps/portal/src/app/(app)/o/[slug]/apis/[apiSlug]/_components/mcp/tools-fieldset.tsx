'use client';

import { Controller, useFormContext } from 'react-hook-form';
import { EmptyState } from '~/components/ui/empty-state';
import { messageAt } from '../../../../../../../../components/forms/field-messages';
import { ToolDetails } from './tool-details';

export interface ToolPreview {
  name: string;
  title: string | null;
  description: string;
  method: string;
  path: string;
  inputSchema: unknown;
}

/** The selection with `name` ticked or unticked (ticked names keep their order). */
export const toggle = (selected: readonly string[], name: string, on: boolean) =>
  on ? [...selected.filter((n) => n !== name), name] : selected.filter((n) => n !== name);

/** One checkbox per tool the OpenAPI document yields, each with its preview; then what cannot be a tool. */
export function ToolsFieldset({
  tools,
  problems,
  hasSpec,
}: {
  tools: ToolPreview[];
  problems: { tool: string; message: string }[];
  hasSpec: boolean;
}) {
  const { control, formState } = useFormContext();
  const error = messageAt(formState.errors, 'tools');
  if (!hasSpec || tools.length === 0) {
    return (
      <EmptyState
        title={hasSpec ? 'No operation can be a tool' : 'No OpenAPI document yet'}
        description="Tools are made from the operations of the API’s OpenAPI document: add or fix it on the OpenAPI tab."
      />
    );
  }
  return (
    <fieldset className="group" aria-describedby={error ? 'mcp-tools-error' : undefined}>
      <legend>Tools</legend>
      <Controller
        control={control}
        name="tools"
        render={({ field }) => {
          const selected = field.value as string[];
          return (
            <ul className="m-0 list-none p-0">
              {tools.map((tool) => (
                <li key={tool.name} className="mb-3">
                  <label className="check" htmlFor={`tool-${tool.name}`}>
                    <input
                      id={`tool-${tool.name}`}
                      type="checkbox"
                      className="accent-accent"
                      disabled={field.disabled}
                      checked={selected.includes(tool.name)}
                      onBlur={field.onBlur}
                      onChange={(e) => field.onChange(toggle(selected, tool.name, e.target.checked))}
                    />
                    <code>{tool.name}</code>
                    <span className="muted">
                      {tool.method} {tool.path}
                    </span>
                  </label>
                  <ToolDetails tool={tool} />
                </li>
              ))}
            </ul>
          );
        }}
      />
      {error ? (
        <p id="mcp-tools-error" className="field-error m-0 text-sm text-danger">
          {error}
        </p>
      ) : null}
      {problems.length > 0 ? (
        <>
          <h3>Operations that cannot be tools</h3>
          <ul>
            {problems.map((p) => (
              <li key={`${p.tool}:${p.message}`}>
                <code>{p.tool}</code>: {p.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </fieldset>
  );
}
