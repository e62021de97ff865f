/** MCP Router, upstream side: stdio pool, http balancer, builtin connectors, replica ownership. */
export { createUpstreamConnector, credentialHeaders, type PlatformUpstream, type UpstreamConnectorDeps } from './connector.js';
export { StdioPool, childEnvironment, type StdioPoolOptions, type StdioPoolStats, type StdioPoolEntryStats } from './stdio-pool.js';
export { HttpBalancer, UpstreamTimeout, type HttpBalancerOptions, type HttpTarget, type InstanceHealth } from './http-balancer.js';
export { BuiltinConnector, type BuiltinLookup, type BuiltinConnectorOptions } from './builtin.js';
export { BUILTIN_CONTEXT_HEADER, builtinContextFor, openBuiltinContext, sealBuiltinContext } from './builtin-context.js';
export { UpstreamError, isUpstreamError, isUpstreamErrorCode, type UpstreamErrorCode } from './errors.js';
export { DRAINING_HEADER, INTERNAL_STDIO_PATH, StdioForwarder, UPSTREAM_CODE_HEADER, type StdioForwarderOptions } from './stdio-forwarder.js';
export { SharedInstanceHealth, type SharedInstanceHealthOptions } from './shared-health.js';
export { FORWARD_TOKEN_HEADER, isMisdirectedForwardToken, openForwardToken, principalOf, sealForwardToken, type ForwardClaims } from './forward-token.js';
export { ProcessGroupStdioTransport } from './stdio-transport.js';
export { serveBuiltin, type BuiltinHttpServer, type BuiltinHttpServerOptions } from './builtin-server.js';
export {
  DatabaseReplicaDirectory,
  RedisReplicaDirectory,
  ReplicaRing,
  SingleReplicaDirectory,
  rendezvousOwner,
  rendezvousWeight,
  stdioOwnershipKey,
  type Replica,
  type ReplicaDirectory,
  type ReplicaRingOptions,
} from './replicas.js';
export { listUpstreamTools, upstreamAdminOpenApi, upstreamAdminRouter } from './admin-routes.js';
export { LEGACY_PROTOCOL_VERSIONS } from './client.js';
