/** The HTTP edge kit every route-owning component uses. Depends on nothing but config-level types. */
export { ApiError, errors, errorBody, type ErrorBody, type ErrorDetail } from './errors.js';
export { parse, parseBody, parseParams, parseQuery, unreadBody, zodDetails } from './validate.js';
export { trackConnections, type ConnectionDrain, type DrainHolders } from './connection-drain.js';
export { edgeMiddleware, errorHandler, notFound, type EdgeOptions, type ErrorHandlerOptions } from './edge.js';
export { requestIdFor } from './request-context.js';
export { requestLane, type Lane, type LaneRoute } from './lane.js';
export type { McpCallFacts, McpCallFactsSource } from './mcp-call-facts.js';
export type { Principal } from './principal.js';
export {
  errorResponse,
  jsonBody,
  jsonResponse,
  jsonSchema,
  type HttpMethod,
  type OpenApiOperation,
  type OpenApiPaths,
} from './openapi.js';
export {
  authenticate,
  bearerToken,
  CredentialRejected,
  invalidToken,
  requireRole,
  type AuthenticateOptions,
  type BearerVerifier,
  type RejectionReason,
  type VerifyContext,
} from './authenticate.js';
export {
  createRateLimiter,
  createRateLimitStore,
  type RateLimitCheck,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitStore,
  type RateLimitStoreOptions,
  type RedisDownPolicy,
} from './rate-limit-store.js';
export { consumeWithDeferred, ipRateLimit, rateLimit, userRateLimit, type RateLimitOptions } from './rate-limit.js';
export {
  createEgressGuard,
  EGRESS_POLICIES,
  EgressFailed,
  EgressRefused,
  type EgressFailure,
  type EgressFetchOptions,
  type EgressGuard,
  type EgressGuardOptions,
  type EgressPolicy,
  type EgressResolver,
  type EgressResponse,
  refuseAtRegistration,
} from './egress/index.js';
export type { CallMetering, QuotaDecision, QuotaRefusal, UsageEvent } from './call-metering.js';
