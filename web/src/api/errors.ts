import type { components } from './schema';

type ErrorBody = components['schemas']['Error'];

/**
 * A failed call to the platform's API, with what its one error shape says
 * (`{error: {code, message, request_id, details}}`), so a page can name what went wrong.
 */
export class PlatformApiError extends Error {
  override readonly name = 'PlatformApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
    readonly details: Array<{ path?: string; message: string }>,
  ) {
    super(message);
  }

  /** The message for a field of a form (`details[].path`), if the API named one. */
  fieldMessage(field: string): string | undefined {
    return this.details.find((d) => d.path === field)?.message;
  }
}

export const isPlatformApiError = (e: unknown): e is PlatformApiError => e instanceof PlatformApiError;

function isErrorBody(body: unknown): body is ErrorBody {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof e?.code === 'string' && typeof e.message === 'string';
}

/** Turns an openapi-fetch answer into its data, or throws a PlatformApiError. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  const { response } = result;
  if (response.ok) return result.data as T;
  const body = result.error;
  if (isErrorBody(body)) {
    throw new PlatformApiError(response.status, body.error.code, body.error.message, body.error.request_id, body.error.details ?? []);
  }
  throw new PlatformApiError(
    response.status,
    'unexpected_response',
    `The platform answered ${response.status} ${response.statusText || ''}`.trim() + ' without an error description.',
    response.headers.get('x-request-id') ?? undefined,
    [],
  );
}

/** One sentence for a person: the API's message, its field details, what to do. */
export function describeError(error: unknown): string {
  if (isPlatformApiError(error)) {
    const details = error.details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
    const hint =
      error.status === 401
        ? ' Sign in again.'
        : error.status === 429
          ? ' Wait a minute and try again.'
          : error.status >= 500
            ? ' Try again in a moment; if it persists, give the request ID to your operator.'
            : '';
    return `${error.message}${details ? ` (${details})` : ''}.${hint}`.replace(/\.\./g, '.');
  }
  if (error instanceof TypeError) return 'Could not reach the platform (network error). Check your connection and try again.';
  return error instanceof Error ? error.message : String(error);
}
