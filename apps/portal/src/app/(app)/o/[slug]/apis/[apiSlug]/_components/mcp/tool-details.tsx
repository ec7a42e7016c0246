'use client';

import { CodeBlock } from '~/components/ui/code-block';
import type { ToolPreview } from './tools-fieldset';

/** What an agent sees of a tool: its description and the JSON Schema of its arguments. */
export function ToolDetails({ tool }: { tool: ToolPreview }) {
  return (
    <details className="ml-6">
      <summary className="text-sm">Preview what agents see</summary>
      {tool.title ? <p className="m-0 font-semibold">{tool.title}</p> : null}
      <p className="text-sm">{tool.description || 'No description in the document.'}</p>
      <CodeBlock label={`Input schema of ${tool.name}`} code={JSON.stringify(tool.inputSchema, null, 2)} />
    </details>
  );
}
