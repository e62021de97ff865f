import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Principal } from './principal.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by the gateway on every request; echoed as X-Request-Id. */
      id: string;
      /** Set by `authenticate`; absent on public routes. */
      principal?: Principal;
      /** The request's logger (edge.ts): bound to its request ID and trace. */
      log: Logger;
    }
  }
}

const INCOMING_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accept a well-formed upstream request ID (from a load balancer), otherwise mint one. */
export function requestIdFor(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && INCOMING_ID.test(value) ? value : randomUUID();
}
