import type { Request } from 'express';
import type { z } from 'zod';
import { errors, type ErrorDetail } from './errors.js';

/** zod issues → the platform's error details (no echo of the offending value). */
export function zodDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(root)',
    message: i.message,
  }));
}

/** Parses `value` or throws a 400 `validation_failed` naming each bad field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw errors.validation(zodDetails(result.error));
  return result.data;
}

/**
 * Why a request's body was not read as JSON, or undefined when it was (or there is none). The JSON
 * parser skips a body sent with another Content-Type, and validating the empty result would then
 * blame fields the client did send ("name: expected string, received undefined").
 */
export function unreadBody(req: Request): string | undefined {
  if (req.body !== undefined) return undefined;
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (!hasBody) return undefined;
  const type = req.headers['content-type']?.split(';')[0]?.trim();
  return type
    ? `The body was sent as ${type.slice(0, 100)}; send it as JSON with Content-Type: application/json`
    : 'The body was sent without a Content-Type; send it as JSON with Content-Type: application/json';
}

/** Parses the JSON body, or throws 415 for a body that is not JSON, 400 for one that fails the schema. */
export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const unread = unreadBody(req);
  if (unread) throw errors.unsupportedMediaType(unread);
  return parse(schema, req.body ?? {});
}
export const parseQuery = <S extends z.ZodType>(schema: S, req: Request) => parse(schema, req.query);
export const parseParams = <S extends z.ZodType>(schema: S, req: Request) => parse(schema, req.params);
