import { coreGatewaySuite } from './core-suite.ts';

coreGatewaySuite('in-memory', false);
