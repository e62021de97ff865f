/** MCP Router: the client-facing endpoints (/mcp, /mcp/{service}) and the contracts of its parts. */
export { createMcpRouter, type McpConfig, type McpRouter, type McpRouterDeps } from './endpoint/http.js';
export { McpRateLimited, mcpRateLimits, principalFromBearer, type McpRateLimit } from './endpoint/wiring.js';
export { encodeName, encodeUri, splitName, splitUri } from './endpoint/names.js';
export type * from './contracts.js';
