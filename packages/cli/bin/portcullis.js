#!/usr/bin/env node
// The CLI is TypeScript source like every workspace package; tsx loads it.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
