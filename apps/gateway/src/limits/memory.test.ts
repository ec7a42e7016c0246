import { limitStoreContract } from './contract.ts';
import { MemoryLimitStore } from './memory.ts';

limitStoreContract('memory', async () => new MemoryLimitStore());
