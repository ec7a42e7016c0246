export { GatewayConfigError, type GatewayEnv, readGatewayEnv } from './env.ts';
export { type GatewayOptions, type RunningGateway, startGateway } from './server.ts';
