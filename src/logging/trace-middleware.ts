import type { RequestHandler } from 'express';
import { enterRequestTrace, parseTraceparent } from '../tracing/index.js';

/**
 * Express middleware: sets `req.trace` (unless OpenTelemetry's server span did already: then its
 * IDs are the OTel ones; the request's logger binds them when first used, see the gateway's edge),
 * and runs the rest of the chain in the request's trace context (on or off: upstreams receive it).
 */
export function traceMiddleware(): RequestHandler {
  return (req, res, next) => {
    const trace = req.trace ?? parseTraceparent(req.headers.traceparent);
    req.trace = trace;
    res.setHeader('traceresponse', `00-${trace.traceId}-${trace.spanId}-${trace.sampled ? '01' : '00'}`);
    enterRequestTrace(req, next);
  };
}
