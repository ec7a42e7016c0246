import { randomToken } from './script.ts';
import type { FlavorContext } from './server.ts';

/*
 * OpenAI's POST /v1/moderations: `{ model, input }` (a string or a list of strings) answered with one
 * result per input, each with every category's boolean and score. Scripted: an input containing one of
 * the configured trigger words is flagged in that word's category.
 */

const CATEGORIES = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
];

export function moderations(context: FlavorContext, body: Record<string, unknown>): void {
  const input = body.input;
  const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input.map(String) : null;
  if (!texts) {
    context.sendError(400, "Missing required parameter: 'input'.");
    return;
  }
  const triggers = Object.entries(context.settings.moderationTriggers);
  const results = texts.map((text) => {
    const hits = new Set(
      triggers.filter(([word]) => text.toLowerCase().includes(word.toLowerCase())).map(([, c]) => c),
    );
    const categories = Object.fromEntries(CATEGORIES.map((c) => [c, hits.has(c)]));
    const scores = Object.fromEntries(CATEGORIES.map((c) => [c, hits.has(c) ? 0.97 : 0.0001]));
    const applied = Object.fromEntries(CATEGORIES.map((c) => [c, ['text']]));
    return {
      flagged: hits.size > 0,
      categories,
      category_scores: scores,
      category_applied_input_types: applied,
    };
  });
  const model = typeof body.model === 'string' ? body.model : 'omni-moderation-latest';
  context.sendJson(200, { id: `modr-${randomToken()}`, model, results });
}
