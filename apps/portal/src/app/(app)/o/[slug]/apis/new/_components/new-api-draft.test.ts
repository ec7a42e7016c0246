import { ZApiCreate } from '@portcullis/core/schemas';
import { describe, expect, it } from 'vitest';
import { NEW_API, withoutBlankDocument } from './new-api-draft';

describe('new API draft', () => {
  it('drops a blank document and keeps a real one', () => {
    expect(withoutBlankDocument({ openapiDocument: '  \n' }).openapiDocument).toBeUndefined();
    expect(withoutBlankDocument({ openapiDocument: 'openapi: 3.1.0' }).openapiDocument).toBe(
      'openapi: 3.1.0',
    );
  });
  it('asks a REST API for its upstream URL, and not an AI one', () => {
    const draft = { ...NEW_API, name: 'Books', slug: 'books' };
    expect(ZApiCreate.safeParse(draft).success).toBe(false);
    expect(ZApiCreate.safeParse({ ...draft, kind: 'AI' }).success).toBe(true);
  });
});
