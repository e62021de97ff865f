/** MCP Router: the client-facing endpoints (/mcp, /mcp/{service}) and the contracts of its parts. */
export { createMcpRouter, type McpConfig, type McpRouter, type McpRouterDeps } from './endpoint/http.js';
export { createInternalStdioEndpoint, exemptReplicaTraffic, type InternalStdioDeps, type InternalStdioEndpoint } from './endpoint/stdio-owner.js';
export { countingRefusals, McpRateLimited, mcpRateLimits, principalFromBearer, type McpHttpExchange, type McpRateLimit } from './endpoint/gateway-hooks.js';
export { encodeName, encodeUri, splitName, splitUri } from './endpoint/names.js';
export type * from './contracts.js';
export {
  createUpstreamConnector,
  DatabaseReplicaDirectory,
  RedisReplicaDirectory,
  ReplicaRing,
  serveBuiltin,
  SingleReplicaDirectory,
  listUpstreamTools,
  upstreamAdminOpenApi,
  upstreamAdminRouter,
  type PlatformUpstream,
} from './upstream/index.js';
