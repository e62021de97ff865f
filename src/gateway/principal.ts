import type { PlatformRole } from '../db/index.js';

/** Who is calling, as established by the gateway's authentication. */
export interface Principal {
  userId: string;
  role: PlatformRole;
  email: string | null;
  /** How the caller proved who they are. */
  via: 'jwt' | 'api_key' | 'external_jwt' | 'oauth';
  /** The OAuth client (client_id) a token issued by the platform's authorization server was issued to. */
  oauthClientId?: string;
  /** Session of a JWT caller; revoking it ends the caller's access. */
  sessionId?: string;
  /** ID of the API key, when one was used. */
  apiKeyId?: string;
  /** Service slugs an API key is scoped to; undefined means every service the user may use. */
  services?: string[];
}
