import { coreGatewaySuite } from './core-suite.ts';

coreGatewaySuite('redis', true);
