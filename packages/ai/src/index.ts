/*
 * The public surface of @portcullis/ai in one import (`@portcullis/ai/index`); every module is also
 * importable on its own (`@portcullis/ai/call`, `@portcullis/ai/providers/index`, …).
 */

export * from './call.ts';
export * from './embeddings.ts';
export * from './errors.ts';
export * from './models.ts';
export * from './providers/index.ts';
export * from './respond.ts';
export * from './sse.ts';

export * from './surfaces/anthropic/request.ts';
export * from './surfaces/anthropic/response.ts';
export * from './surfaces/anthropic/stream.ts';
export * from './tokens.ts';
export * from './types.ts';
export * from './validate.ts';
