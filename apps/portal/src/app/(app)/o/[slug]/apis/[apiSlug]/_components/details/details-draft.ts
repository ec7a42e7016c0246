import { ZApiUpdate } from '@portcullis/core/schemas';
import { z } from 'zod';
import { draftSchema, zLinesText } from '../../../../../../../../components/forms/draft-text';

/** The catalog details form's draft (tags as comma-separated text) to and from an API. */

type Visibility = 'PUBLIC' | 'ORG' | 'PRIVATE';
type Accuracy = 'EXACT' | 'LOCAL_FIRST';

export interface ApiDetails {
  id: string;
  name: string;
  description: string;
  tags: string[];
  visibility: Visibility;
  rateLimitAccuracy: Accuracy;
}

export interface DetailsDraft {
  name: string;
  description: string;
  tags: string;
  visibility: Visibility;
  rateLimitAccuracy: Accuracy;
}

export const toDetailsDraft = (api: ApiDetails): DetailsDraft => ({
  name: api.name,
  description: api.description,
  tags: api.tags.join(', '),
  visibility: api.visibility,
  rateLimitAccuracy: api.rateLimitAccuracy,
});

/** Draft → the `api.update` input (without org and API), checked by the server's schema. */
export const ZDetailsForm = draftSchema(
  z.object({
    name: z.string(),
    description: z.string(),
    tags: zLinesText(true),
    visibility: z.enum(['PUBLIC', 'ORG', 'PRIVATE']),
    rateLimitAccuracy: z.enum(['EXACT', 'LOCAL_FIRST']),
  }),
  ZApiUpdate.omit({ apiId: true }),
);
