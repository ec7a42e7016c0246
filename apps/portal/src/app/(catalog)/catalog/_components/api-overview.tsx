import { CodeBlock } from '~/components/ui/code-block';
import { TagList } from './tag-list';

/** The API's provider, description, tags and base URL, with a first request to copy. */
export function ApiOverview({
  api,
}: {
  api: {
    org: { name: string };
    version: string;
    visibility: string;
    description: string | null;
    tags: string[];
    gatewayBaseUrl: string;
  };
}) {
  return (
    <section className="card min-w-0" aria-labelledby="overview-title">
      <h2 id="overview-title" className="visually-hidden">
        Overview
      </h2>
      <p className="muted">
        by {api.org.name} · version {api.version}
        {api.visibility !== 'PUBLIC' ? ` · ${api.visibility.toLowerCase()} visibility` : ''}
      </p>
      {api.description ? (
        <p className="[overflow-wrap:anywhere]">{api.description}</p>
      ) : (
        <p className="muted">No description.</p>
      )}
      <TagList tags={api.tags} label="Tags" linked />
      <h3>Base URL</h3>
      <p className="[overflow-wrap:anywhere]">
        <code data-testid="gateway-url">{api.gatewayBaseUrl}</code>
      </p>
      <CodeBlock
        label="Example request"
        code={`curl -H "Authorization: Bearer $PORTCULLIS_KEY" ${api.gatewayBaseUrl}`}
      />
    </section>
  );
}
