/** The egress (SSRF) guard: one policy per source of outbound URLs (docs/gateway.md, "Outbound requests"). */
export { EGRESS_POLICIES, EgressRefused, type EgressPolicy } from './addresses.js';
export { EgressFailed, type EgressFailure, type EgressFetchOptions, type EgressResponse } from './fetch.js';
export { createEgressGuard, type EgressGuard, type EgressGuardOptions, type EgressResolver } from './guard.js';
export { refuseAtRegistration } from './registration.js';
