export * from './errors.ts';
export * from './keys.ts';
export * from './periods.ts';
export * from './schemas.ts';
