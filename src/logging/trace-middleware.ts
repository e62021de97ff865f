import type { RequestHandler } from 'express';
import { parseTraceparent, resumeRequestContext } from '../tracing/index.js';

/**
 * Express middleware: sets `req.trace` (unless OpenTelemetry's server span did already: then its
 * IDs are the OTel ones; the request's logger binds them when first used, see the gateway's edge),
 * and re-enters the request's trace context for the rest of the chain.
 */
export function traceMiddleware(): RequestHandler {
  return (req, res, next) => {
    const trace = req.trace ?? parseTraceparent(req.headers.traceparent);
    req.trace = trace;
    res.setHeader('traceresponse', `00-${trace.traceId}-${trace.spanId}-${trace.sampled ? '01' : '00'}`);
    resumeRequestContext(req, next);
  };
}
