'use client';

import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { Dialog } from '~/components/ui/dialog';
import { promptDiff } from './prompt-diff';

/** What changed between a published version and the working copy, field by field. */
export function PromptVersionDiff({
  number,
  config,
  working,
}: {
  number: number;
  config: unknown;
  working: unknown;
}) {
  const [open, setOpen] = useState(false);
  const changes = open ? promptDiff(config, working) : [];
  return (
    <Dialog
      open={open}
      onOpenChange={setOpen}
      title={`Version ${number} and the working copy`}
      trigger={
        <Button variant="secondary" size="sm">
          Compare<span className="sr-only"> version {number} with the working copy</span>
        </Button>
      }
    >
      {changes.length === 0 ? (
        <p>The working copy is the same prompt as version {number}.</p>
      ) : (
        <dl>
          {changes.map((change) => (
            <div key={change.field} className="mb-4">
              <dt className="font-semibold">{change.label}</dt>
              <dd className="m-0 grid gap-2 sm:grid-cols-2">
                {[
                  [`Version ${number}`, change.version],
                  ['Working copy', change.working],
                ].map(([caption, text]) => (
                  <figure key={caption} className="m-0 min-w-0">
                    <figcaption className="text-sm text-muted">{caption}</figcaption>
                    <pre className="m-0 overflow-auto whitespace-pre-wrap text-sm">{text}</pre>
                  </figure>
                ))}
              </dd>
            </div>
          ))}
        </dl>
      )}
    </Dialog>
  );
}
