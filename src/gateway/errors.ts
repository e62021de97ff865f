/**
 * One error shape for the platform's own REST API:
 *   { "error": { "code": "not_found", "message": "...", "request_id": "...", "details": [...] } }
 * `code` is stable and documented; `message` is for humans. Stack traces never leave the process.
 */

export interface ErrorDetail {
  path?: string;
  message: string;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const errors = {
  badRequest: (message: string, details?: ErrorDetail[]) => new ApiError(400, 'bad_request', message, details),
  validation: (details: ErrorDetail[]) =>
    new ApiError(400, 'validation_failed', 'The request did not pass validation', details),
  unauthorized: (message = 'Authentication required', code = 'unauthorized') =>
    new ApiError(401, code, message, undefined, { 'WWW-Authenticate': 'Bearer' }),
  forbidden: (message = 'You may not do this') => new ApiError(403, 'forbidden', message),
  notFound: (what = 'Resource') => new ApiError(404, 'not_found', `${what} not found`),
  conflict: (message: string, code = 'conflict') => new ApiError(409, code, message),
  payloadTooLarge: (limit: number) =>
    new ApiError(413, 'payload_too_large', `Request body exceeds the limit of ${limit} bytes`),
  unsupportedMediaType: (message = 'Send the body as application/json') => new ApiError(415, 'unsupported_media_type', message),
  rateLimited: (retryAfterSeconds: number) =>
    new ApiError(429, 'rate_limited', `Too many requests; retry after ${retryAfterSeconds}s`, undefined, {
      'Retry-After': String(retryAfterSeconds),
    }),
  unavailable: (message = 'A backing service is unavailable; try again shortly') =>
    new ApiError(503, 'service_unavailable', message),
  internal: () => new ApiError(500, 'internal_error', 'An unexpected error occurred'),
};

export interface ErrorBody {
  error: { code: string; message: string; request_id?: string; details?: ErrorDetail[] };
}

export function errorBody(err: ApiError, requestId?: string): ErrorBody {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(requestId ? { request_id: requestId } : {}),
      ...(err.details?.length ? { details: err.details } : {}),
    },
  };
}
