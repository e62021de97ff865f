import type { Request } from 'express';
import { errors, type Principal } from '../gateway/index.js';

/** The caller, as authenticated by the gateway; 401 when the route was reached without one. */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw errors.unauthorized();
  return req.principal;
}

/** Who may build (issue 15 §5): admins; users too when the operator sets BUILDER_USERS=true. */
export function canBuild(principal: Principal, builderUsers: boolean): boolean {
  return principal.role === 'admin' || (builderUsers && principal.role === 'user');
}
