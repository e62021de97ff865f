import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { notFound } from './edge.js';

/** Where a lane's request goes: the route's path (as Express writes it) and its decoded parameters. */
export interface LaneRoute {
  path: string;
  params: Record<string, string>;
}

/** Serves one request on a lane: `route` is what the lane's own path matcher found. */
export type Lane = (req: IncomingMessage, res: ServerResponse, route: LaneRoute) => void;

/**
 * A request lane: a fixed list of handlers run in order for the paths one component owns, without
 * Express's router walk. The hot path (`/mcp`, `/mcp/{service}`) is served this way: through the
 * app, a call tested every layer of the stack in turn, entered the MCP router and its route, and
 * made a final handler per request (~6 % of a call's main-thread instructions, docs/benchmarks.md).
 *
 * The handlers are the same Express middleware the app would run, with the same request and
 * response objects (the app's prototypes, `res.locals`, `req.params`, `req.route`), so nothing in
 * them knows which way the request came. `next(err)` goes to `errorHandlers` in order; a handler
 * that returns a rejected promise is `next(err)`, as in Express 5. A request no handler answers
 * gets the platform's 404.
 */
export function requestLane(app: Express, handlers: RequestHandler[], errorHandlers: ErrorRequestHandler[]): Lane {
  const chain = [...handlers, notFound];
  return (incoming, outgoing, route) => {
    const req = incoming as Request;
    const res = outgoing as Response;
    // What app.handle does before its router (express/lib/application.js).
    req.res = res;
    res.req = req;
    Object.setPrototypeOf(req, app.request);
    Object.setPrototypeOf(res, app.response);
    res.locals ??= Object.create(null) as Record<string, unknown>;
    // What the router and the route would have set.
    req.originalUrl ??= req.url;
    req.baseUrl = '';
    req.params = route.params;
    (req as Request & { route: { path: string } }).route = { path: route.path };

    let step = 0;
    let errorStep = 0;
    const next: NextFunction = (err?: unknown) => {
      if (err !== undefined && err !== null && err !== 'route' && err !== 'router') {
        const handler = errorHandlers[errorStep++];
        if (!handler) return void res.destroy();
        return run(() => handler(err, req, res, next));
      }
      // After an error, a handler that passes on ends where nothing answered: the 404.
      if (errorStep > 0) step = Math.max(step, chain.length - 1);
      const handler = chain[step++];
      if (handler) run(() => handler(req, res, next));
    };
    const run = (call: () => unknown) => {
      try {
        const returned = call();
        if (returned instanceof Promise) returned.catch((err: unknown) => next(err ?? new Error('Rejected promise')));
      } catch (err) {
        next(err);
      }
    };
    next();
  };
}
