import createClient, { type Middleware } from 'openapi-fetch';
import { accessToken } from '../auth/supabase';
import type { paths } from './schema';

/**
 * The typed client of the platform's REST API. Its types (schema.d.ts) are generated from the
 * OpenAPI document the server code builds (`npm run web:api`); a test fails when they drift.
 */
export const api = createClient<paths>({ baseUrl: window.location.origin });

const bearer: Middleware = {
  async onRequest({ request }) {
    const token = await accessToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
};
api.use(bearer);
