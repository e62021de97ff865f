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

export const parseBody = <S extends z.ZodType>(schema: S, req: Request) => parse(schema, req.body ?? {});
export const parseQuery = <S extends z.ZodType>(schema: S, req: Request) => parse(schema, req.query);
export const parseParams = <S extends z.ZodType>(schema: S, req: Request) => parse(schema, req.params);
