/**
 * Generated from the platform's OpenAPI document (GET /v1/openapi.json) by `npm run web:api`.
 * Do not edit: change the routes' OpenAPI fragments in src/, then regenerate.
 * test/web.api-client.test.ts fails when this file and the code's document differ.
 */

export interface paths {
    "/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The web app (user portal)
         * @description The built single-page app (web/dist). A browser navigation (Accept: text/html) to any other path without a file extension outside /v1, /auth, /mcp, /.well-known, /metrics, /healthz, /readyz and /internal answers the same page (SPA fallback); other clients get the JSON 404 there. The page is `Cache-Control: no-cache`, with a strict Content-Security-Policy. Hashed files under /assets/ are `immutable`. See docs/web.md.
         */
        get: operations["webApp"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/oauth-authorization-server": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** OAuth 2.0 Authorization Server Metadata (RFC 8414) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Authorization server metadata (issuer = PUBLIC_URL) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/oauth-protected-resource": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** OAuth 2.0 Protected Resource Metadata (RFC 9728) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Protected resource metadata */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/oauth-protected-resource/mcp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** OAuth 2.0 Protected Resource Metadata (RFC 9728) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Protected resource metadata */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/oauth-protected-resource/mcp/{service}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** OAuth 2.0 Protected Resource Metadata (RFC 9728) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    service: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Protected resource metadata */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/openid-configuration": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** OpenID Connect discovery (same server, same metadata) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Authorization server metadata (issuer = PUBLIC_URL) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/v1/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public keys (ES256) that verify access tokens */
        get: operations["authJwks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/v1/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke sessions: scope=global (all, default), local (this one) or others */
        post: operations["authLogout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/v1/recover": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Mail a one-time password recovery link
         * @description Answers `{}` for every well-formed address, registered or not. The link (to `redirect_to` when it is on PUBLIC_URL's origin, else `/reset-password`) carries `#token_hash=…&type=recovery`; POST /auth/v1/verify trades it for a session.
         */
        post: operations["authRecover"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/v1/signup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create an account and return a session (with AUTH_EMAIL_CONFIRM: the user without a session, and a confirmation mail) */
        post: operations["authSignup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/v1/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in (grant_type=password) or rotate a refresh token (grant_type=refresh_token) */
        post: operations["authToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/v1/user": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in user */
        get: operations["authGetUser"];
        /** Update email, password or user metadata (`data`, merged; null removes a key) */
        put: operations["authUpdateUser"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/v1/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Use a mailed link (recovery or sign-up confirmation) once and get a session */
        post: operations["authVerify"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process serves HTTP */
        get: operations["healthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mcp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * MCP aggregate: open the 2025-era server-to-client stream
         * @description MCP Streamable HTTP endpoint. Serves 2026-07-28 clients (per-request envelope, server/discover, subscriptions/listen) and 2025-11-25/2025-06-18 clients (initialize, Mcp-Session-Id) on the same URL. See docs/mcp.md.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description JSON-RPC response (application/json) or stream (text/event-stream) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Notification or response accepted */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Missing or invalid token; WWW-Authenticate carries resource_metadata */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Origin or Host not allowed; or the service is outside the API key's scope, disabled, or needs the caller's credentials (the message says which) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Unknown service, or session not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description The service's definition has a problem an administrator must fix */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /**
         * MCP aggregate of every usable service: send a JSON-RPC message
         * @description MCP Streamable HTTP endpoint. Serves 2026-07-28 clients (per-request envelope, server/discover, subscriptions/listen) and 2025-11-25/2025-06-18 clients (initialize, Mcp-Session-Id) on the same URL. See docs/mcp.md.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description JSON-RPC response (application/json) or stream (text/event-stream) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Notification or response accepted */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Missing or invalid token; WWW-Authenticate carries resource_metadata */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Origin or Host not allowed; or the service is outside the API key's scope, disabled, or needs the caller's credentials (the message says which) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Unknown service, or session not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description The service's definition has a problem an administrator must fix */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        /**
         * MCP aggregate: end a 2025-era session
         * @description MCP Streamable HTTP endpoint. Serves 2026-07-28 clients (per-request envelope, server/discover, subscriptions/listen) and 2025-11-25/2025-06-18 clients (initialize, Mcp-Session-Id) on the same URL. See docs/mcp.md.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description JSON-RPC response (application/json) or stream (text/event-stream) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Notification or response accepted */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Missing or invalid token; WWW-Authenticate carries resource_metadata */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Origin or Host not allowed; or the service is outside the API key's scope, disabled, or needs the caller's credentials (the message says which) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Unknown service, or session not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description The service's definition has a problem an administrator must fix */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/mcp/{service}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * MCP endpoint of one service: open the 2025-era server-to-client stream
         * @description MCP Streamable HTTP endpoint. Serves 2026-07-28 clients (per-request envelope, server/discover, subscriptions/listen) and 2025-11-25/2025-06-18 clients (initialize, Mcp-Session-Id) on the same URL. See docs/mcp.md.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    service: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description JSON-RPC response (application/json) or stream (text/event-stream) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Notification or response accepted */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Missing or invalid token; WWW-Authenticate carries resource_metadata */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Origin or Host not allowed; or the service is outside the API key's scope, disabled, or needs the caller's credentials (the message says which) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Unknown service, or session not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description The service's definition has a problem an administrator must fix */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        /**
         * MCP endpoint of one service: send a JSON-RPC message
         * @description MCP Streamable HTTP endpoint. Serves 2026-07-28 clients (per-request envelope, server/discover, subscriptions/listen) and 2025-11-25/2025-06-18 clients (initialize, Mcp-Session-Id) on the same URL. See docs/mcp.md.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    service: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description JSON-RPC response (application/json) or stream (text/event-stream) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Notification or response accepted */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Missing or invalid token; WWW-Authenticate carries resource_metadata */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Origin or Host not allowed; or the service is outside the API key's scope, disabled, or needs the caller's credentials (the message says which) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Unknown service, or session not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description The service's definition has a problem an administrator must fix */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        /**
         * MCP endpoint of one service: end a 2025-era session
         * @description MCP Streamable HTTP endpoint. Serves 2026-07-28 clients (per-request envelope, server/discover, subscriptions/listen) and 2025-11-25/2025-06-18 clients (initialize, Mcp-Session-Id) on the same URL. See docs/mcp.md.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    service: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description JSON-RPC response (application/json) or stream (text/event-stream) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Notification or response accepted */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Missing or invalid token; WWW-Authenticate carries resource_metadata */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Origin or Host not allowed; or the service is outside the API key's scope, disabled, or needs the caller's credentials (the message says which) */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Unknown service, or session not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description The service's definition has a problem an administrator must fix */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics (text exposition format)
         * @description Public unless METRICS_TOKEN is set (then `Authorization: Bearer <token>`); absent here when METRICS_PORT serves it on a port of its own.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Metrics */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/plain": string;
                    };
                };
                /** @description Wrong or missing metrics token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oauth/authorize": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Authorization endpoint: code flow with PKCE S256 and a resource (RFC 8707) only
         * @description Redirects to the consent page (/oauth/consent/{uid}), then back to the exact registered redirect_uri with code, state and iss (RFC 9207). Errors that cannot be sent to a verified redirect_uri are shown as a page, never redirected.
         */
        get: {
            parameters: {
                query: {
                    client_id: string;
                    code_challenge: string;
                    code_challenge_method: string;
                    redirect_uri: string;
                    resource: string;
                    response_type: string;
                    scope?: string;
                    state?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description To the consent page, or to the redirect_uri */
                303: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description An error page (HTML) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oauth/consent/{uid}/decision": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Consent page: approve or deny (CSRF token required); answers where the browser goes next */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    uid: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        approve: boolean;
                        csrf_token: string;
                    };
                };
            };
            responses: {
                /** @description Where to send the browser */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            redirect_to: string;
                        };
                    };
                };
                /** @description Not signed in */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description CSRF token mismatch, or not a portal session */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No such pending authorization in this browser */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oauth/consent/{uid}/details": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Consent page: who asks, where the answer goes, what it gets (needs the interaction cookie of this browser) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    uid: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Consent details with a CSRF token */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            client: {
                                client_id: string;
                                client_name: string | null;
                                client_uri: string | null;
                                logo_uri: string | null;
                                metadata_document: boolean;
                            };
                            csrf_token: string;
                            redirect_host: string;
                            redirect_uri: string;
                            remembered: boolean;
                            resource: string;
                            scopes: string[];
                            uid: string;
                        };
                    };
                };
                /** @description Not signed in */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description No such pending authorization in this browser */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oauth/jwks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The platform ES256 keys that sign OAuth access tokens (same set as /auth/v1/.well-known/jwks.json) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description JWKS */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oauth/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Dynamic Client Registration (RFC 7591); rate-limited per IP; off with OAUTH_DYNAMIC_REGISTRATION=false */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        client_name?: string;
                        redirect_uris: string[];
                    };
                };
            };
            responses: {
                /** @description The registered client (client_id; public clients: no secret) */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description invalid_redirect_uri or invalid_client_metadata */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description?: string;
                        };
                    };
                };
                /** @description Too many registrations from this address */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oauth/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Token revocation (RFC 7009): a refresh token revokes its whole grant */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/x-www-form-urlencoded": {
                        client_id: string;
                        token: string;
                        token_type_hint?: string;
                    };
                };
            };
            responses: {
                /** @description Revoked (or unknown token) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Bad request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oauth/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Token endpoint: authorization_code (with code_verifier) and refresh_token (rotating) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/x-www-form-urlencoded": {
                        client_id: string;
                        code?: string;
                        code_verifier?: string;
                        /** @description authorization_code | refresh_token */
                        grant_type: string;
                        redirect_uri?: string;
                        refresh_token?: string;
                        /** @description the MCP resource */
                        resource?: string;
                    };
                };
            };
            responses: {
                /** @description Tokens: an ES256 JWT access token whose audience is the MCP resource, and a single-use refresh token */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description invalid_grant, invalid_target, invalid_request … */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description?: string;
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: the database (and Redis, when configured) answer */
        get: operations["readyz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/analytics/quota-pressure": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Users at or past a share of their plan's quotas this month, fullest first */
        get: operations["adminAnalyticsQuotaPressure"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/analytics/series": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Calls, errors, p50/p95/p99 latency and active users over time (tools/call), per service and tool
         * @description From the rollups, never the raw request log. Ranges: at most 14 days with bucket=hour, 366 with bucket=day.
         */
        get: operations["adminAnalyticsSeries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/analytics/top-tools": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The most called tools over whole UTC days */
        get: operations["adminAnalyticsTopTools"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/analytics/top-users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The users with the most calls over whole UTC days */
        get: operations["adminAnalyticsTopUsers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/analytics/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Active users per UTC day, new (first call that day) against returning */
        get: operations["adminAnalyticsUsers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit trail, newest first */
        get: {
            parameters: {
                query?: {
                    action?: string;
                    actor_id?: string;
                    cursor?: string;
                    from?: string;
                    limit?: number;
                    outcome?: "success" | "failure";
                    to?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of audit entries */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                action: string;
                                actor_id: string | null;
                                details: Record<string, never>;
                                hash: string;
                                ip: string | null;
                                /** @enum {string} */
                                outcome: "success" | "failure";
                                prev_hash: string;
                                request_id?: string | null;
                                seq: string;
                                target_id: string | null;
                                target_type: string | null;
                                time: string;
                                user_agent?: string | null;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Invalid filter or cursor */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not signed in */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not an administrator */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/audit/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Verify the audit hash chain; reports the first broken link */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Verification result */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            checked: number;
                            firstBroken?: {
                                expectedSeq?: string;
                                /** @enum {string} */
                                reason: "hash_mismatch" | "prev_hash_mismatch" | "sequence_gap";
                                seq: string;
                            };
                            head: {
                                hash: string;
                                seq: string;
                            } | null;
                            ok: boolean;
                        };
                    };
                };
                /** @description Invalid filter or cursor */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not signed in */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not an administrator */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/billing/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The webhook outbox: events and their delivery state, newest first (admin) */
        get: operations["adminListBillingEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/billing/events/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One webhook event and its delivery state (admin) */
        get: operations["adminGetBillingEvent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/billing/events/{id}/redeliver": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Deliver an event again (admin): pending now, a fresh set of attempts, the same id and Idempotency-Key. Audited. */
        post: operations["adminRedeliverBillingEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/errors": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Unexpected errors grouped by fingerprint, most recent first */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    limit?: number;
                    source?: "http" | "upstream" | "stdio" | "process" | "internal";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of error groups */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                count: number;
                                fingerprint: string;
                                first_seen: string;
                                last_seen: string;
                                message: string;
                                sample_request_id: string | null;
                                source: string;
                                top_frame: string | null;
                                type: string;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Invalid filter or cursor */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not signed in */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not an administrator */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every request-log entry, newest first */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    from?: string;
                    kind?: "mcp" | "rest";
                    limit?: number;
                    min_latency_ms?: number;
                    service?: string;
                    status?: ("ok" | "error") | number;
                    to?: string;
                    tool?: string;
                    user_id?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of entries */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                api_key_id?: string | null;
                                bytes_in?: number | null;
                                bytes_out?: number | null;
                                http_status: number | null;
                                id: string;
                                /** @enum {string} */
                                kind: "mcp" | "rest";
                                latency_ms: number;
                                method: string;
                                /** @description Captured request/response payload (services with payload capture), else null */
                                payload?: unknown;
                                protocol_version?: string | null;
                                rate_limited: boolean;
                                request_id: string;
                                route: string | null;
                                rpc_error_code: number | null;
                                service: string | null;
                                /** @description The version of an openapi service that served it (docs/builder.md) */
                                service_version?: number | null;
                                /** @enum {string} */
                                status: "ok" | "error";
                                target: string | null;
                                time: string;
                                trace_id?: string | null;
                                upstream_instance?: string | null;
                                upstream_latency_ms?: number | null;
                                user_id: string | null;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Invalid filter or cursor */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not signed in */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not an administrator */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/marketplace/listings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every listing, newest first (at most 500): on the marketplace (state=live), withdrawn (state=withdrawn) or all, never-approved ones included, with its provider, live title and installs (admin) */
        get: operations["adminMarketplaceListings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/marketplace/listings/{id}/reinstate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Put any withdrawn listing back on the marketplace (admin). Its live version's URLs are checked by the egress guard again as at submission. Audited. */
        post: operations["adminMarketplaceReinstate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/marketplace/listings/{id}/withdraw": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Withdraw any listing, with a reason (admin): as the provider's withdrawal. To stop existing installs as well, disable its service (PATCH /v1/admin/services/{id} { "enabled": false }). Audited. */
        post: operations["adminMarketplaceWithdraw"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/marketplace/providers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Provider applications and providers (admin) */
        get: operations["adminMarketplaceProviders"];
        put?: never;
        /** Grant a user the provider role at once (admin). Audited. */
        post: operations["adminMarketplaceGrantProvider"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/marketplace/providers/{id}/decision": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve or reject an application, or revoke a provider (admin; a reason is required to reject or revoke). Audited. */
        post: operations["adminMarketplaceDecideProvider"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/marketplace/reviews": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The review queue: versions waiting for review, oldest first, with the tools, prompts and resources the platform saw (admin) */
        get: operations["adminMarketplaceReviews"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/marketplace/reviews/{id}/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One listing version as the reviewer sees it (admin) */
        get: operations["adminMarketplaceReview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/marketplace/reviews/{id}/{version}/decision": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve (the version becomes the live one; its price becomes the per-call price) or reject with a reason (admin). Audited. */
        post: operations["adminMarketplaceDecide"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/marketplace/reviews/{id}/{version}/inspect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Connect to the version again and list what it exposes, with credentials for this time only (admin). Audited. */
        post: operations["adminMarketplaceInspect"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/oauth/grants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every user's OAuth grants (filter by user_id, client_id) */
        get: {
            parameters: {
                query?: {
                    client_id?: string;
                    user_id?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Grants */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            grants: {
                                client_id: string;
                                client_name: string | null;
                                created_at: string;
                                expires_at: string | null;
                                id: string;
                                metadata_document: boolean;
                                resources: {
                                    resource: string;
                                    scopes: string[];
                                }[];
                                user_id: string;
                            }[];
                        };
                    };
                };
                /** @description Admins only */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/oauth/grants/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke any user's grant */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Revoked */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description No such grant */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/payouts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every provider's payout report of a month (admin; JSON or CSV) */
        get: operations["adminPayouts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/plans": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every plan (admin) */
        get: operations["adminListPlans"];
        put?: never;
        /** Create a plan (admin). Audited. */
        post: operations["adminCreatePlan"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/plans/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One plan (admin) */
        get: operations["adminGetPlan"];
        put?: never;
        post?: never;
        /** Remove a plan no user has (admin). Audited. */
        delete: operations["adminDeletePlan"];
        options?: never;
        head?: never;
        /** Change a plan's name or limits (admin). Audited; every replica applies it within BILLING_QUOTA_CACHE_MS. */
        patch: operations["adminPatchPlan"];
        trace?: never;
    };
    "/v1/admin/prices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Per-call prices of services (admin) */
        get: operations["adminListPrices"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/prices/{service}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set a service's price per call (admin). Audited. */
        put: operations["adminSetPrice"];
        post?: never;
        /** Remove a service's price (admin). Audited. */
        delete: operations["adminDeletePrice"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/prices/{service}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every price a service had, newest first (admin) */
        get: operations["adminPriceHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/router/pool": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * MCP Router upstream state of this replica (admin)
         * @description The stdio process pool of the replica that answers (size, caps, one entry per child), the health of every http instance it balances over (keyed by service id) with the upstream clients this replica keeps for it, and the live replicas that share stdio ownership.
         */
        get: operations["getRouterPool"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/services": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every registered service (admin) */
        get: operations["adminListServices"];
        put?: never;
        /** Register a service (admin) */
        post: operations["adminCreateService"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/services/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One service (admin) */
        get: operations["adminGetService"];
        put?: never;
        post?: never;
        /** Remove an admin-registered service (admin) */
        delete: operations["adminDeleteService"];
        options?: never;
        head?: never;
        /**
         * Change a service (admin)
         * @description Catalog-file services accept only enabled, roles, tool_policy and payload_capture (409 catalog_managed otherwise), and so do marketplace listings' services, whose definition changes only by review (409 listing_managed: the provider submits a new version, an admin approves it); admin-registered services accept every field.
         */
        patch: operations["adminPatchService"];
        trace?: never;
    };
    "/v1/admin/services/{id}/instances": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Register an instance URL of an http service (admin) */
        post: operations["adminAddServiceInstance"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/services/{id}/instances/{instanceId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove an instance (admin) */
        delete: operations["adminDeleteServiceInstance"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/services/{id}/tools": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A service's live tools, as its upstream lists them (admin)
         * @description Connects to the service as the calling admin (with the admin's own stored credentials and OAuth connection; whatever the service's enabled flag and roles) and lists every tool the upstream offers, before the tool policy, each marked with whether the current policy lets users see it. For writing a tool policy.
         */
        get: operations["adminListServiceTools"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/statements/finalize": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Finalise a month's statements (admin): immutable snapshots at the prices of the moment, each announced by a statement.finalized event. Audited. */
        post: operations["adminFinalizeStatements"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/traffic": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live traffic over the last window (admin): calls/s, error rate, p50/p99, in total and per service
         * @description From the request log, so every replica counts (rows arrive within LOG_FLUSH_INTERVAL_MS). `series` has about 30 even buckets for a chart.
         */
        get: operations["adminTraffic"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Usage per period, user and service */
        get: {
            parameters: {
                query?: {
                    from?: string;
                    kind?: "mcp" | "rest";
                    period?: "hour" | "day" | "month";
                    service?: string;
                    to?: string;
                    user_id?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Usage rows */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                bytes_in: number;
                                bytes_out: number;
                                calls: number;
                                errors: number;
                                /** @description Milliseconds; null when the bucket has no latency */
                                p50_latency_ms: number | null;
                                /** @description Milliseconds; null when the bucket has no latency */
                                p95_latency_ms: number | null;
                                /**
                                 * Format: date-time
                                 * @description Start of the period (date_trunc in UTC)
                                 */
                                period_start: string;
                                rate_limited: number;
                                /** @description Service slug; null for requests outside a service */
                                service: string | null;
                                user_id: string | null;
                            }[];
                            /** Format: date-time */
                            from: string;
                            /** @enum {string} */
                            kind: "mcp" | "rest";
                            /** @enum {string} */
                            period: "hour" | "day" | "month";
                            /** Format: date-time */
                            to: string;
                        };
                    };
                };
                /** @description Invalid filter or cursor */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not signed in */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not an administrator */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List users (admin): search by email, cursor pagination, ordered by creation */
        get: operations["adminListUsers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One user (admin) */
        get: operations["adminGetUser"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change a user's role, disable/enable them, or give them a plan (admin). Takes effect at once; audited. */
        patch: operations["adminPatchUser"];
        trace?: never;
    };
    "/v1/admin/users/{id}/quota": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user's plan and calls against its quotas (admin) */
        get: operations["adminGetUserQuota"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{id}/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Sign a user out everywhere: revoke every session (admin). API keys are not touched. Audited. */
        delete: operations["adminRevokeUserSessions"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{id}/statement": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user's monthly statement (admin; JSON or CSV) */
        get: operations["adminGetUserStatement"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's active API keys (never the key itself) */
        get: operations["listApiKeys"];
        put?: never;
        /** Create a personal API key; the key is in this response only */
        post: operations["createApiKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One of the caller’s API keys */
        get: operations["getApiKey"];
        put?: never;
        post?: never;
        /** Revoke one of the caller’s API keys (effective at once) */
        delete: operations["deleteApiKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/builder/access": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Whether the caller may use the builder
         * @description Any signed-in caller: `allowed` is true for admins, and for users when the operator set BUILDER_USERS=true; otherwise `reason` says why not. The web app shows the builder only when allowed.
         */
        get: operations["builderAccess"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/builder/imports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Propose MCP tools from an OpenAPI or Swagger document
         * @description The body is the document (OpenAPI 3.0/3.1 or Swagger 2.0) as application/json or application/yaml, or `{"url": "…"}` as application/json to fetch it (public addresses only, unless the operator allows a host with EGRESS_ALLOW). Nothing is saved: save the chosen tools with POST /v1/admin/services, `kind: "openapi"`. Every operation appears once, in `tools` or in `skipped`.
         */
        post: operations["importApiDocument"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/builder/services": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * openapi services the caller may build
         * @description Admins: every admin-made openapi service. Builder users (BUILDER_USERS=true): only their own.
         */
        get: operations["listBuilderServices"];
        put?: never;
        /**
         * Create an openapi service (version 1)
         * @description A builder user's service is visible to that user only. Unless `publish` is true, nothing is served until a version is published.
         */
        post: operations["createBuilderService"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/builder/services/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One openapi service */
        get: operations["getBuilderService"];
        put?: never;
        post?: never;
        /** Remove an openapi service and its versions */
        delete: operations["deleteBuilderService"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/builder/services/{id}/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Publish the version that was live before the current one */
        post: operations["rollbackService"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/builder/services/{id}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The versions of an openapi service, newest first */
        get: operations["listServiceVersions"];
        put?: never;
        /**
         * Save a definition as the next version
         * @description Every save is a new, immutable version. It is served once published (here with `publish: true`, or later).
         */
        post: operations["saveServiceVersion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/builder/services/{id}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One version with its definition */
        get: operations["getServiceVersion"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/builder/services/{id}/versions/{version}/publish": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Make a version live
         * @description Every replica serves it from the next call (the registry change is announced over Redis).
         */
        post: operations["publishServiceVersion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/builder/try": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Call one tool of a definition, saved or not, with your own credentials
         * @description The request goes to the real API, through the same egress guard and limits as a tools/call; nothing is saved or logged as a tool call.
         */
        post: operations["tryBuilderTool"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your own request log, newest first */
        get: {
            parameters: {
                query?: {
                    cursor?: string;
                    from?: string;
                    kind?: "mcp" | "rest";
                    limit?: number;
                    min_latency_ms?: number;
                    service?: string;
                    status?: ("ok" | "error") | number;
                    to?: string;
                    tool?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description A page of entries */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                api_key_id?: string | null;
                                bytes_in?: number | null;
                                bytes_out?: number | null;
                                http_status: number | null;
                                id: string;
                                /** @enum {string} */
                                kind: "mcp" | "rest";
                                latency_ms: number;
                                method: string;
                                /** @description Captured request/response payload (services with payload capture), else null */
                                payload?: unknown;
                                protocol_version?: string | null;
                                rate_limited: boolean;
                                request_id: string;
                                route: string | null;
                                rpc_error_code: number | null;
                                service: string | null;
                                /** @description The version of an openapi service that served it (docs/builder.md) */
                                service_version?: number | null;
                                /** @enum {string} */
                                status: "ok" | "error";
                                target: string | null;
                                time: string;
                                trace_id?: string | null;
                                upstream_instance?: string | null;
                                upstream_latency_ms?: number | null;
                                user_id: string | null;
                            }[];
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Invalid filter or cursor */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not signed in */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/marketplace/installs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The listings you installed */
        get: operations["marketplaceInstalls"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/marketplace/listings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Browse the live listings: search by text, category and price */
        get: operations["marketplaceBrowse"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/marketplace/listings/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One live listing: its tools, prompts, resources, credentials it asks for, ratings and changelog */
        get: operations["marketplaceListing"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/marketplace/listings/{id}/install": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Install a listing: its service becomes usable for you on /mcp/{service} and /mcp (after its credentials, if it asks for any). Audited. */
        post: operations["marketplaceInstall"];
        /** Uninstall a listing (your stored credentials for it are deleted too). Audited. */
        delete: operations["marketplaceUninstall"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/marketplace/listings/{id}/rating": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Rate and review a listing you installed: one per user, a second PUT edits it */
        put: operations["marketplaceRate"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/marketplace/provider": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your provider application and its status ({ "status": "none" } when you never applied) */
        get: operations["marketplaceProviderStatus"];
        put?: never;
        /** Apply for the provider role (an admin approves or rejects it). Audited. */
        post: operations["marketplaceProviderApply"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/marketplace/provider/listings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your listings with every version and its review state (provider) */
        get: operations["marketplaceProviderListings"];
        put?: never;
        /** Submit a listing (version 1) for review: a remote http MCP endpoint, an npm package, or a version of a service you made with the builder; the platform connects to it and lists what it exposes. Audited. */
        post: operations["marketplaceSubmitListing"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/marketplace/provider/listings/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One of your listings (provider) */
        get: operations["marketplaceProviderListing"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/marketplace/provider/listings/{id}/reinstate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Put your withdrawn listing back on the marketplace (provider; only one you withdrew yourself). Its live version's URLs are checked by the egress guard again as at submission; its pending versions return to the review queue. Audited. */
        post: operations["marketplaceReinstate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/marketplace/provider/listings/{id}/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Installs, calls, errors and revenue of your listing per day (provider); never users' identities, payloads or credentials */
        get: operations["marketplaceProviderStats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/marketplace/provider/listings/{id}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit a new version for review; the live version stays until an admin approves this one. Audited. */
        post: operations["marketplaceSubmitVersion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/marketplace/provider/listings/{id}/withdraw": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Withdraw your listing (provider): it leaves browse and search and cannot be newly installed; users who installed it keep using it until they uninstall. Undone by …/reinstate. Another provider's listing is a 404. Audited. */
        post: operations["marketplaceWithdraw"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download everything the platform holds about you, as JSON
         * @description The same export as the operator's `export-user` command (docs/operations.md): profile, sessions, API keys, which services hold your credentials or OAuth connection (by service and date; the values stay sealed and are never included), the MCP clients you authorized, the services you built with their versions, the marketplace listings you installed and rated, your provider record with your listings and their versions (not who decided), your billing (plan, metered calls, daily totals, monthly statements with their lines), notes, your request log and the audit events about you. No password hash, key hash or token. Recorded in the audit trail. Signed-in sessions only (403 for API keys and OAuth tokens).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The export (sent as an attachment) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            api_keys: {
                                [key: string]: unknown;
                            }[];
                            audit_events: {
                                [key: string]: unknown;
                            }[];
                            authorized_clients: {
                                [key: string]: unknown;
                            }[];
                            /** @description Your plan (null: none assigned), each metered call, the daily totals and the monthly statements with their lines */
                            billing: {
                                plan: {
                                    [key: string]: unknown;
                                } | null;
                                statements: {
                                    [key: string]: unknown;
                                }[];
                                usage_daily: {
                                    [key: string]: unknown;
                                }[];
                                usage_events: {
                                    [key: string]: unknown;
                                }[];
                            };
                            built_services: {
                                [key: string]: unknown;
                            }[];
                            /** Format: date-time */
                            exported_at: string;
                            marketplace_installs: {
                                [key: string]: unknown;
                            }[];
                            /** @description Your provider application and listings; null if you never applied */
                            marketplace_provider: {
                                [key: string]: unknown;
                            } | null;
                            marketplace_ratings: {
                                [key: string]: unknown;
                            }[];
                            notes: {
                                [key: string]: unknown;
                            }[];
                            request_log: {
                                [key: string]: unknown;
                            }[];
                            service_credentials: {
                                [key: string]: unknown;
                            }[];
                            service_oauth_connections: {
                                [key: string]: unknown;
                            }[];
                            sessions: {
                                [key: string]: unknown;
                            }[];
                            user: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
                /** @description Unexpected query parameter */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not signed in */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Called with an API key or OAuth token */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's active sign-in sessions (browsers and devices), newest first
         * @description Each session with the User-Agent and address it signed in from, when it was created, when its tokens were last refreshed (a session in use refreshes about once per access-token lifetime) and when it ends; `current` marks the session of this request. Revoked and expired sessions are left out. Signed-in sessions only (403 for API keys and OAuth tokens). To end them all: `POST /auth/v1/logout?scope=global`.
         */
        get: operations["listOwnSessions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** End one of the caller’s sessions (its refresh and access tokens stop working at once); audited as auth.logout */
        delete: operations["revokeOwnSession"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/oauth/grants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Connected apps: the OAuth clients you gave access */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Your grants */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            grants: {
                                client_id: string;
                                client_name: string | null;
                                created_at: string;
                                expires_at: string | null;
                                id: string;
                                metadata_document: boolean;
                                resources: {
                                    resource: string;
                                    scopes: string[];
                                }[];
                                user_id: string;
                            }[];
                        };
                    };
                };
                /** @description Not signed in */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/oauth/grants/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Disconnect an app: revokes the grant, its refresh tokens and its access tokens */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Revoked */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description No such grant of yours */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This OpenAPI document */
        get: operations["getOpenApi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/provider/analytics/quota-pressure": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Users at or past a share of their plan's quotas this month, fullest first — a provider's own listings
         * @description Only the services of the caller's approved marketplace listings; users as pseudonyms stable within that scope.
         */
        get: operations["providerAnalyticsQuotaPressure"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/provider/analytics/series": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Calls, errors, p50/p95/p99 latency and active users over time (tools/call), per service and tool — a provider's own listings
         * @description From the rollups, never the raw request log. Ranges: at most 14 days with bucket=hour, 366 with bucket=day. Only the services of the caller's approved marketplace listings; users as pseudonyms stable within that scope.
         */
        get: operations["providerAnalyticsSeries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/provider/analytics/top-tools": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The most called tools over whole UTC days — a provider's own listings
         * @description Only the services of the caller's approved marketplace listings; users as pseudonyms stable within that scope.
         */
        get: operations["providerAnalyticsTopTools"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/provider/analytics/top-users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The users with the most calls over whole UTC days — a provider's own listings
         * @description Only the services of the caller's approved marketplace listings; users as pseudonyms stable within that scope.
         */
        get: operations["providerAnalyticsTopUsers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/provider/analytics/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Active users per UTC day, new (first call that day) against returning — a provider's own listings
         * @description Only the services of the caller's approved marketplace listings; users as pseudonyms stable within that scope.
         */
        get: operations["providerAnalyticsUsers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/provider/payouts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your payout report of a month: the services you own (JSON or CSV) */
        get: operations["getPayouts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/services": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the services the caller may use
         * @description Enabled services whose roles include the caller and (for API keys with a services scope) inside that scope. `connected` says whether the caller has stored every required credential.
         */
        get: operations["listServices"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/services/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One service of the catalog */
        get: operations["getService"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/services/{id}/credentials": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's stored credentials, secrets masked */
        get: operations["getServiceCredentials"];
        /**
         * Store (or replace) the caller's credentials for a service
         * @description The body is an object of the service's credential fields (see credential_schema): unknown fields are rejected, required ones must be present, values are non-empty strings within max_length without control characters. The whole set is replaced. Values are sealed at rest (AES-256-GCM envelope) and never returned.
         */
        put: operations["putServiceCredentials"];
        post?: never;
        /** Delete the caller's credentials for a service */
        delete: operations["deleteServiceCredentials"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/services/{id}/oauth": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Disconnect the service: revoke the tokens at the provider (RFC 7009) and delete them */
        delete: operations["disconnectServiceOAuth"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/services/{id}/oauth/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Start connecting a service to the caller's account at its OAuth provider
         * @description Answers the provider authorization URL (code flow, PKCE S256, a single-use state bound to the caller, valid `expires_in` seconds). Open it in a browser; the provider redirects to `/v1/services/oauth/callback`.
         */
        get: operations["startServiceOAuth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/services/oauth/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where the OAuth provider sends the browser back (public: the state names the user) */
        get: operations["serviceOAuthCallback"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your usage per period and service: calls, errors, p50/p95 latency, bytes */
        get: {
            parameters: {
                query?: {
                    from?: string;
                    kind?: "mcp" | "rest";
                    period?: "hour" | "day" | "month";
                    service?: string;
                    to?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Usage rows */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                bytes_in: number;
                                bytes_out: number;
                                calls: number;
                                errors: number;
                                /** @description Milliseconds; null when the bucket has no latency */
                                p50_latency_ms: number | null;
                                /** @description Milliseconds; null when the bucket has no latency */
                                p95_latency_ms: number | null;
                                /**
                                 * Format: date-time
                                 * @description Start of the period (date_trunc in UTC)
                                 */
                                period_start: string;
                                rate_limited: number;
                                /** @description Service slug; null for requests outside a service */
                                service: string | null;
                                user_id: string | null;
                            }[];
                            /** Format: date-time */
                            from: string;
                            /** @enum {string} */
                            kind: "mcp" | "rest";
                            /** @enum {string} */
                            period: "hour" | "day" | "month";
                            /** Format: date-time */
                            to: string;
                        };
                    };
                };
                /** @description Invalid filter or cursor */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Not signed in */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/usage/quota": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your plan, this month's period and your calls against its quotas */
        get: operations["getQuota"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/usage/statement": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your monthly statement: calls per service priced at the per-call prices (JSON or CSV) */
        get: operations["getStatement"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Error: {
            error: {
                /** @description Stable, documented error code */
                code: string;
                details?: {
                    message: string;
                    path?: string;
                }[];
                /** @description Human-readable message */
                message: string;
                /** @description Echo of X-Request-Id */
                request_id?: string;
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    webApp: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The app page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description The web app is not built; the body says how to build it */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
        };
    };
    authJwks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description JSON Web Key Set */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        keys?: Record<string, never>[];
                    };
                };
            };
        };
    };
    authLogout: {
        parameters: {
            query?: {
                scope?: "global" | "local" | "others";
            };
            header?: {
                /** @description Must equal AUTH_PUBLISHABLE_KEY when that is set */
                apikey?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Signed out */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no_authorization */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        error_code: string;
                        message?: string;
                        msg: string;
                        weak_password?: {
                            reasons?: string[];
                        };
                    };
                };
            };
            /** @description bad_jwt, session_not_found */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        error_code: string;
                        message?: string;
                        msg: string;
                        weak_password?: {
                            reasons?: string[];
                        };
                    };
                };
            };
        };
    };
    authRecover: {
        parameters: {
            query?: {
                redirect_to?: string;
            };
            header?: {
                /** @description Must equal AUTH_PUBLISHABLE_KEY when that is set */
                apikey?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    code_challenge?: string | null;
                    code_challenge_method?: string | null;
                    email: string;
                    gotrue_meta_security?: {
                        captcha_token?: string | null;
                    } | null;
                };
            };
        };
        responses: {
            /** @description Accepted (the same answer for unknown addresses) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        error_code: string;
                        message?: string;
                        msg: string;
                        weak_password?: {
                            reasons?: string[];
                        };
                    };
                };
            };
            /** @description over_email_send_rate_limit; Retry-After says when to retry */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        error_code: string;
                        message?: string;
                        msg: string;
                        weak_password?: {
                            reasons?: string[];
                        };
                    };
                };
            };
        };
    };
    authSignup: {
        parameters: {
            query?: never;
            header?: {
                /** @description Must equal AUTH_PUBLISHABLE_KEY when that is set */
                apikey?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    code_challenge?: string | null;
                    code_challenge_method?: string | null;
                    data?: {
                        [key: string]: unknown;
                    } | null;
                    email: string;
                    gotrue_meta_security?: {
                        captcha_token?: string | null;
                    } | null;
                    password: string;
                };
            };
        };
        responses: {
            /** @description Session and user; or, with AUTH_EMAIL_CONFIRM, the user alone */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description ES256 JWT; verify with /auth/v1/.well-known/jwks.json */
                        access_token?: string;
                        expires_at?: number;
                        expires_in?: number;
                        /** @description Opaque; single use (rotates) */
                        refresh_token?: string;
                        /** @enum {string} */
                        token_type?: "bearer";
                        user?: {
                            app_metadata?: Record<string, never>;
                            aud?: string;
                            created_at?: string;
                            email?: string;
                            /** Format: uuid */
                            id?: string;
                            role?: string;
                            updated_at?: string;
                            user_metadata?: Record<string, never>;
                        };
                    } | {
                        app_metadata?: Record<string, never>;
                        aud?: string;
                        created_at?: string;
                        email?: string;
                        /** Format: uuid */
                        id?: string;
                        role?: string;
                        updated_at?: string;
                        user_metadata?: Record<string, never>;
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        error_code: string;
                        message?: string;
                        msg: string;
                        weak_password?: {
                            reasons?: string[];
                        };
                    };
                };
            };
            /** @description weak_password, user_already_exists or signup_disabled */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        error_code: string;
                        message?: string;
                        msg: string;
                        weak_password?: {
                            reasons?: string[];
                        };
                    };
                };
            };
        };
    };
    authToken: {
        parameters: {
            query: {
                grant_type: "password" | "refresh_token";
            };
            header?: {
                /** @description Must equal AUTH_PUBLISHABLE_KEY when that is set */
                apikey?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    email: string;
                    gotrue_meta_security?: {
                        captcha_token?: string | null;
                    } | null;
                    password: string;
                } | {
                    refresh_token: string;
                };
            };
        };
        responses: {
            /** @description Session and user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description ES256 JWT; verify with /auth/v1/.well-known/jwks.json */
                        access_token?: string;
                        expires_at?: number;
                        expires_in?: number;
                        /** @description Opaque; single use (rotates) */
                        refresh_token?: string;
                        /** @enum {string} */
                        token_type?: "bearer";
                        user?: {
                            app_metadata?: Record<string, never>;
                            aud?: string;
                            created_at?: string;
                            email?: string;
                            /** Format: uuid */
                            id?: string;
                            role?: string;
                            updated_at?: string;
                            user_metadata?: Record<string, never>;
                        };
                    };
                };
            };
            /** @description invalid_credentials, email_not_confirmed, refresh_token_not_found, refresh_token_already_used, session_expired, user_banned, validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        error_code: string;
                        message?: string;
                        msg: string;
                        weak_password?: {
                            reasons?: string[];
                        };
                    };
                };
            };
            /** @description over_request_rate_limit (brute-force lockout); Retry-After says when to retry */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        error_code: string;
                        message?: string;
                        msg: string;
                        weak_password?: {
                            reasons?: string[];
                        };
                    };
                };
            };
        };
    };
    authGetUser: {
        parameters: {
            query?: never;
            header?: {
                /** @description Must equal AUTH_PUBLISHABLE_KEY when that is set */
                apikey?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description User */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        app_metadata?: Record<string, never>;
                        aud?: string;
                        created_at?: string;
                        email?: string;
                        /** Format: uuid */
                        id?: string;
                        role?: string;
                        updated_at?: string;
                        user_metadata?: Record<string, never>;
                    };
                };
            };
            /** @description no_authorization */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        error_code: string;
                        message?: string;
                        msg: string;
                        weak_password?: {
                            reasons?: string[];
                        };
                    };
                };
            };
            /** @description bad_jwt, session_not_found, user_banned */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        error_code: string;
                        message?: string;
                        msg: string;
                        weak_password?: {
                            reasons?: string[];
                        };
                    };
                };
            };
        };
    };
    authUpdateUser: {
        parameters: {
            query?: never;
            header?: {
                /** @description Must equal AUTH_PUBLISHABLE_KEY when that is set */
                apikey?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    code_challenge?: string | null;
                    code_challenge_method?: string | null;
                    data?: {
                        [key: string]: unknown;
                    };
                    email?: string;
                    gotrue_meta_security?: {
                        captcha_token?: string | null;
                    } | null;
                    nonce?: string | null;
                    password?: string;
                };
            };
        };
        responses: {
            /** @description Updated user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        app_metadata?: Record<string, never>;
                        aud?: string;
                        created_at?: string;
                        email?: string;
                        /** Format: uuid */
                        id?: string;
                        role?: string;
                        updated_at?: string;
                        user_metadata?: Record<string, never>;
                    };
                };
            };
            /** @description validation_failed (unknown fields such as app_metadata or role are refused) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        error_code: string;
                        message?: string;
                        msg: string;
                        weak_password?: {
                            reasons?: string[];
                        };
                    };
                };
            };
            /** @description no_authorization */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        error_code: string;
                        message?: string;
                        msg: string;
                        weak_password?: {
                            reasons?: string[];
                        };
                    };
                };
            };
            /** @description bad_jwt, session_not_found */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        error_code: string;
                        message?: string;
                        msg: string;
                        weak_password?: {
                            reasons?: string[];
                        };
                    };
                };
            };
            /** @description weak_password, same_password, email_exists */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        error_code: string;
                        message?: string;
                        msg: string;
                        weak_password?: {
                            reasons?: string[];
                        };
                    };
                };
            };
        };
    };
    authVerify: {
        parameters: {
            query?: never;
            header?: {
                /** @description Must equal AUTH_PUBLISHABLE_KEY when that is set */
                apikey?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    gotrue_meta_security?: {
                        captcha_token?: string | null;
                    } | null;
                    token_hash: string;
                    /** @enum {string} */
                    type: "recovery" | "signup" | "email";
                };
            };
        };
        responses: {
            /** @description Session and user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description ES256 JWT; verify with /auth/v1/.well-known/jwks.json */
                        access_token?: string;
                        expires_at?: number;
                        expires_in?: number;
                        /** @description Opaque; single use (rotates) */
                        refresh_token?: string;
                        /** @enum {string} */
                        token_type?: "bearer";
                        user?: {
                            app_metadata?: Record<string, never>;
                            aud?: string;
                            created_at?: string;
                            email?: string;
                            /** Format: uuid */
                            id?: string;
                            role?: string;
                            updated_at?: string;
                            user_metadata?: Record<string, never>;
                        };
                    };
                };
            };
            /** @description validation_failed, user_banned */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        error_code: string;
                        message?: string;
                        msg: string;
                        weak_password?: {
                            reasons?: string[];
                        };
                    };
                };
            };
            /** @description otp_expired: the link is unknown, used or expired */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        code: string;
                        error_code: string;
                        message?: string;
                        msg: string;
                        weak_password?: {
                            reasons?: string[];
                        };
                    };
                };
            };
        };
    };
    healthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Alive */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        checks?: Record<string, never>;
                        status?: string;
                    };
                };
            };
        };
    };
    readyz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        checks?: Record<string, never>;
                        status?: string;
                    };
                };
            };
            /** @description A dependency is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        checks?: Record<string, never>;
                        status?: string;
                    };
                };
            };
        };
    };
    adminAnalyticsQuotaPressure: {
        parameters: {
            query?: {
                limit?: number;
                /** @description Least share of the quota used, percent */
                min_percent?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Quota lines */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            email: string | null;
                            limit: number;
                            /** @description used ≥ limit: calls are refused */
                            over: boolean;
                            percent: number;
                            plan: string;
                            /** @description `monthly_calls` or `service_calls:<slug>` */
                            quota: string;
                            used: number;
                            user_id: string;
                        }[];
                        /** Format: date-time */
                        month_start: string;
                    };
                };
            };
            /** @description validation_failed: an unknown parameter, a bad time, from ≥ to, a range too long for the bucket, a limit out of range */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not an administrator */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminAnalyticsSeries: {
        parameters: {
            query?: {
                bucket?: "hour" | "day";
                /** @description Start (ISO-8601 with offset); rounded down to the bucket (UTC). Default: `to` minus 24 h (hour) or 30 days (day) */
                from?: string;
                /** @description Only this service (slug) */
                service?: string;
                /** @description End, exclusive (ISO-8601 with offset); rounded up to the bucket. Default: now */
                to?: string;
                /** @description Only this tool (as the upstream names it) */
                tool?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The series */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        bucket: "hour" | "day";
                        /** Format: date-time */
                        from: string;
                        /** @description One point per bucket of [from, to), empty buckets as zeros */
                        points: {
                            /** @description Distinct users with a call; day buckets without `tool` only, else null */
                            active_users: number | null;
                            calls: number;
                            error_rate: number;
                            errors: number;
                            /** @description Mean latency (exact), ms */
                            mean_ms: number | null;
                            /** @description Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls */
                            p50_ms: number | null;
                            /** @description Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls */
                            p95_ms: number | null;
                            /** @description Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls */
                            p99_ms: number | null;
                            rate_limited: number;
                            /**
                             * Format: date-time
                             * @description Start of the bucket (UTC)
                             */
                            start: string;
                        }[];
                        service: string | null;
                        /** Format: date-time */
                        to: string;
                        tool: string | null;
                        totals: {
                            /** @description Distinct users with a call; day buckets without `tool` only, else null */
                            active_users: number | null;
                            calls: number;
                            error_rate: number;
                            errors: number;
                            /** @description Mean latency (exact), ms */
                            mean_ms: number | null;
                            /** @description Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls */
                            p50_ms: number | null;
                            /** @description Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls */
                            p95_ms: number | null;
                            /** @description Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls */
                            p99_ms: number | null;
                            rate_limited: number;
                        };
                    };
                };
            };
            /** @description validation_failed: an unknown parameter, a bad time, from ≥ to, a range too long for the bucket, a limit out of range */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not an administrator */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminAnalyticsTopTools: {
        parameters: {
            query?: {
                /** @description Start (ISO-8601 with offset); rounded down to the bucket (UTC). Default: `to` minus 24 h (hour) or 30 days (day) */
                from?: string;
                limit?: number;
                /** @description Only this service (slug) */
                service?: string;
                /** @description End, exclusive (ISO-8601 with offset); rounded up to the bucket. Default: now */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Tools, most calls first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            calls: number;
                            error_rate: number;
                            errors: number;
                            /** @description Mean latency (exact), ms */
                            mean_ms: number | null;
                            /** @description Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls */
                            p50_ms: number | null;
                            /** @description Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls */
                            p95_ms: number | null;
                            /** @description Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls */
                            p99_ms: number | null;
                            service: string | null;
                            tool: string | null;
                        }[];
                    };
                };
            };
            /** @description validation_failed: an unknown parameter, a bad time, from ≥ to, a range too long for the bucket, a limit out of range */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not an administrator */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminAnalyticsTopUsers: {
        parameters: {
            query?: {
                /** @description Start (ISO-8601 with offset); rounded down to the bucket (UTC). Default: `to` minus 24 h (hour) or 30 days (day) */
                from?: string;
                limit?: number;
                /** @description Only this service (slug) */
                service?: string;
                /** @description End, exclusive (ISO-8601 with offset); rounded up to the bucket. Default: now */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Users, most calls first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            calls: number;
                            email: string | null;
                            errors: number;
                            /** @description How many services the user called */
                            services: number;
                            /** @description User ID (admins); a pseudonym for providers */
                            user_id: string;
                        }[];
                    };
                };
            };
            /** @description validation_failed: an unknown parameter, a bad time, from ≥ to, a range too long for the bucket, a limit out of range */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not an administrator */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminAnalyticsUsers: {
        parameters: {
            query?: {
                /** @description Start (ISO-8601 with offset); rounded down to the bucket (UTC). Default: `to` minus 24 h (hour) or 30 days (day) */
                from?: string;
                /** @description Only this service (slug) */
                service?: string;
                /** @description End, exclusive (ISO-8601 with offset); rounded up to the bucket. Default: now */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Active, new and returning users */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        from: string;
                        points: {
                            active: number;
                            /** Format: date */
                            day: string;
                            new: number;
                            returning: number;
                        }[];
                        service: string | null;
                        /** Format: date-time */
                        to: string;
                        /** @description Distinct users over the range; new: first call within it */
                        totals: {
                            active: number;
                            new: number;
                            returning: number;
                        };
                    };
                };
            };
            /** @description validation_failed: an unknown parameter, a bad time, from ≥ to, a range too long for the bucket, a limit out of range */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not an administrator */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminListBillingEvents: {
        parameters: {
            query?: {
                /** @description Older than this created_at (to page on) */
                before?: string;
                /** @description default 100 */
                limit?: number;
                state?: "pending" | "delivered" | "dead";
                type?: "usage.recorded" | "statement.finalized";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Events */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        events: {
                            attempts: number;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            delivered_at: string | null;
                            /**
                             * Format: uuid
                             * @description The event id: also the Idempotency-Key of every delivery attempt
                             */
                            id: string;
                            last_error: string | null;
                            /** @description The endpoint's HTTP status at the last attempt */
                            last_status: number | null;
                            /**
                             * Format: date-time
                             * @description When the next attempt is due (pending only)
                             */
                            next_attempt_at: string | null;
                            /** @description The event's data (docs/billing.md, "Webhook events") */
                            payload: Record<string, never>;
                            /** @enum {string} */
                            state: "pending" | "delivered" | "dead";
                            /** @enum {string} */
                            type: "usage.recorded" | "statement.finalized";
                        }[];
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminGetBillingEvent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Event ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Event */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        attempts: number;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        delivered_at: string | null;
                        /**
                         * Format: uuid
                         * @description The event id: also the Idempotency-Key of every delivery attempt
                         */
                        id: string;
                        last_error: string | null;
                        /** @description The endpoint's HTTP status at the last attempt */
                        last_status: number | null;
                        /**
                         * Format: date-time
                         * @description When the next attempt is due (pending only)
                         */
                        next_attempt_at: string | null;
                        /** @description The event's data (docs/billing.md, "Webhook events") */
                        payload: Record<string, never>;
                        /** @enum {string} */
                        state: "pending" | "delivered" | "dead";
                        /** @enum {string} */
                        type: "usage.recorded" | "statement.finalized";
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminRedeliverBillingEvent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Event ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Event */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        attempts: number;
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        delivered_at: string | null;
                        /**
                         * Format: uuid
                         * @description The event id: also the Idempotency-Key of every delivery attempt
                         */
                        id: string;
                        last_error: string | null;
                        /** @description The endpoint's HTTP status at the last attempt */
                        last_status: number | null;
                        /**
                         * Format: date-time
                         * @description When the next attempt is due (pending only)
                         */
                        next_attempt_at: string | null;
                        /** @description The event's data (docs/billing.md, "Webhook events") */
                        payload: Record<string, never>;
                        /** @enum {string} */
                        state: "pending" | "delivered" | "dead";
                        /** @enum {string} */
                        type: "usage.recorded" | "statement.finalized";
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminMarketplaceListings: {
        parameters: {
            query?: {
                /** @description live: on the marketplace; withdrawn; absent: all */
                state?: "live" | "withdrawn";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Listings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        listings: {
                            /** Format: date-time */
                            created_at: string;
                            /** Format: uuid */
                            id: string;
                            /** @description Users who have it installed now */
                            installs: number;
                            /** @enum {string} */
                            kind: "http" | "npm" | "builder";
                            live_version: number | null;
                            provider: {
                                display_name: string;
                                /** Format: uuid */
                                user_id: string;
                            };
                            slug: string;
                            /** @description The live version's title; null before the first approval */
                            title: string | null;
                            /** @description null: on the marketplace. Withdrawn: off browse and search, no new installs, versions or approvals; users who installed it keep it until they uninstall */
                            withdrawn: {
                                /** Format: date-time */
                                at: string;
                                /**
                                 * @description The role the withdrawer acted in (an admin withdrawing a listing of their own through the admin route: admin)
                                 * @enum {string}
                                 */
                                by: "provider" | "admin";
                                reason: string | null;
                            } | null;
                        }[];
                    };
                };
            };
            /** @description validation_failed: an unknown state or query parameter */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: administrators only */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminMarketplaceReinstate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Listing ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description Reinstated */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        created_at?: string;
                        /** Format: uuid */
                        id: string;
                        /** @enum {string} */
                        kind: "http" | "npm" | "builder";
                        live_version: number | null;
                        slug: string;
                        versions: {
                            categories?: string[];
                            changelog?: string;
                            /** Format: date-time */
                            created_at?: string;
                            /** @description The credential fields this version asks users for (definitions, as submitted; never a value) */
                            credentials?: {
                                [key: string]: unknown;
                            }[];
                            description?: string;
                            icon_url?: string | null;
                            inspection: {
                                error?: string;
                                ok: boolean;
                                tools: string[];
                            } | null;
                            links?: {
                                title: string;
                                url: string;
                            }[];
                            /** @description null: free */
                            price: {
                                currency: string;
                                /** @description Decimal, 6 places */
                                per_call: string;
                            } | null;
                            /** @description The reviewer's reason (always given for a rejection) */
                            reason?: string | null;
                            /** Format: date-time */
                            reviewed_at?: string | null;
                            /** @description { type: "http", url, transport }, { type: "npm", package, version, integrity, bin?, args }, or { type: "builder", service_id, version, openapi } (the builder version's definition, copied at submission) */
                            source: {
                                [key: string]: unknown;
                            };
                            /** @enum {string} */
                            state: "pending" | "approved" | "rejected" | "superseded";
                            title: string;
                            version: number;
                        }[];
                        /** @description null: on the marketplace. Withdrawn: off browse and search, no new installs, versions or approvals; users who installed it keep it until they uninstall */
                        withdrawn: {
                            /** Format: date-time */
                            at: string;
                            /**
                             * @description The role the withdrawer acted in (an admin withdrawing a listing of their own through the admin route: admin)
                             * @enum {string}
                             */
                            by: "provider" | "admin";
                            reason: string | null;
                        } | null;
                    };
                };
            };
            /** @description validation_failed, or a URL of the live version the egress guard refuses now (bad_request, base_url_refused) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: administrators only */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_withdrawn */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminMarketplaceWithdraw: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Listing ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason: string;
                };
            };
        };
        responses: {
            /** @description Withdrawn */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        created_at?: string;
                        /** Format: uuid */
                        id: string;
                        /** @enum {string} */
                        kind: "http" | "npm" | "builder";
                        live_version: number | null;
                        slug: string;
                        versions: {
                            categories?: string[];
                            changelog?: string;
                            /** Format: date-time */
                            created_at?: string;
                            /** @description The credential fields this version asks users for (definitions, as submitted; never a value) */
                            credentials?: {
                                [key: string]: unknown;
                            }[];
                            description?: string;
                            icon_url?: string | null;
                            inspection: {
                                error?: string;
                                ok: boolean;
                                tools: string[];
                            } | null;
                            links?: {
                                title: string;
                                url: string;
                            }[];
                            /** @description null: free */
                            price: {
                                currency: string;
                                /** @description Decimal, 6 places */
                                per_call: string;
                            } | null;
                            /** @description The reviewer's reason (always given for a rejection) */
                            reason?: string | null;
                            /** Format: date-time */
                            reviewed_at?: string | null;
                            /** @description { type: "http", url, transport }, { type: "npm", package, version, integrity, bin?, args }, or { type: "builder", service_id, version, openapi } (the builder version's definition, copied at submission) */
                            source: {
                                [key: string]: unknown;
                            };
                            /** @enum {string} */
                            state: "pending" | "approved" | "rejected" | "superseded";
                            title: string;
                            version: number;
                        }[];
                        /** @description null: on the marketplace. Withdrawn: off browse and search, no new installs, versions or approvals; users who installed it keep it until they uninstall */
                        withdrawn: {
                            /** Format: date-time */
                            at: string;
                            /**
                             * @description The role the withdrawer acted in (an admin withdrawing a listing of their own through the admin route: admin)
                             * @enum {string}
                             */
                            by: "provider" | "admin";
                            reason: string | null;
                        } | null;
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: administrators only */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description listing_withdrawn: withdrawn already */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminMarketplaceProviders: {
        parameters: {
            query?: {
                /** @description Only this status */
                status?: "pending" | "approved" | "rejected" | "revoked";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Providers */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        providers: {
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            decided_at: string | null;
                            display_name: string;
                            email?: string | null;
                            note: string;
                            reason: string | null;
                            /** @enum {string} */
                            status: "pending" | "approved" | "rejected" | "revoked";
                            /** Format: uuid */
                            user_id: string;
                        }[];
                    };
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: administrators only */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminMarketplaceGrantProvider: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    display_name: string;
                    /** Format: uuid */
                    user_id: string;
                };
            };
        };
        responses: {
            /** @description Provider */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        decided_at: string | null;
                        display_name: string;
                        note: string;
                        reason: string | null;
                        /** @enum {string} */
                        status: "pending" | "approved" | "rejected" | "revoked";
                        /** Format: uuid */
                        user_id: string;
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: administrators only */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminMarketplaceDecideProvider: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description User ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    decision: "approve" | "reject" | "revoke";
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description Provider */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        decided_at: string | null;
                        display_name: string;
                        note: string;
                        reason: string | null;
                        /** @enum {string} */
                        status: "pending" | "approved" | "rejected" | "revoked";
                        /** Format: uuid */
                        user_id: string;
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: administrators only */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid_state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminMarketplaceReviews: {
        parameters: {
            query?: {
                /** @description Versions in this state (default pending) */
                state?: "pending" | "approved" | "rejected" | "superseded";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Queue */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        reviews: {
                            categories?: string[];
                            changelog?: string;
                            /** Format: date-time */
                            created_at?: string;
                            credentials: {
                                [key: string]: unknown;
                            }[];
                            description?: string;
                            icon_url?: string | null;
                            /** Format: date-time */
                            inspected_at?: string | null;
                            /** @description What the platform saw when it connected to the version with the SDK client */
                            inspection: {
                                error?: string;
                                ok: boolean;
                                prompts: {
                                    description?: string;
                                    name: string;
                                }[];
                                resources: {
                                    description?: string;
                                    mimeType?: string;
                                    name: string;
                                    uri: string;
                                }[];
                                resourceTemplates: {
                                    name: string;
                                    uriTemplate: string;
                                }[];
                                server?: {
                                    name?: string;
                                    version?: string;
                                };
                                tools: {
                                    description?: string;
                                    inputSchema?: unknown;
                                    name: string;
                                    title?: string;
                                }[];
                            } | null;
                            /** @enum {string} */
                            kind: "http" | "npm" | "builder";
                            links?: {
                                title: string;
                                url: string;
                            }[];
                            /** Format: uuid */
                            listing_id: string;
                            live_version: number | null;
                            /** @description null: free */
                            price: {
                                currency: string;
                                /** @description Decimal, 6 places */
                                per_call: string;
                            } | null;
                            provider: {
                                display_name: string | null;
                                user_id: string;
                            };
                            /** @description The reviewer's reason (always given for a rejection) */
                            reason?: string | null;
                            /** Format: date-time */
                            reviewed_at?: string | null;
                            slug: string;
                            /** @description { type: "http", url, transport }, { type: "npm", package, version, integrity, bin?, args }, or { type: "builder", service_id, version, openapi } (the builder version's definition, copied at submission) */
                            source: {
                                [key: string]: unknown;
                            };
                            /** @enum {string} */
                            state: "pending" | "approved" | "rejected" | "superseded";
                            title: string;
                            version: number;
                            /**
                             * Format: date-time
                             * @description When the listing was withdrawn (null: it was not)
                             */
                            withdrawn_at?: string | null;
                        }[];
                    };
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: administrators only */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminMarketplaceReview: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Listing ID */
                id: string;
                version: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Version */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        categories?: string[];
                        changelog?: string;
                        /** Format: date-time */
                        created_at?: string;
                        credentials: {
                            [key: string]: unknown;
                        }[];
                        description?: string;
                        icon_url?: string | null;
                        /** Format: date-time */
                        inspected_at?: string | null;
                        /** @description What the platform saw when it connected to the version with the SDK client */
                        inspection: {
                            error?: string;
                            ok: boolean;
                            prompts: {
                                description?: string;
                                name: string;
                            }[];
                            resources: {
                                description?: string;
                                mimeType?: string;
                                name: string;
                                uri: string;
                            }[];
                            resourceTemplates: {
                                name: string;
                                uriTemplate: string;
                            }[];
                            server?: {
                                name?: string;
                                version?: string;
                            };
                            tools: {
                                description?: string;
                                inputSchema?: unknown;
                                name: string;
                                title?: string;
                            }[];
                        } | null;
                        /** @enum {string} */
                        kind: "http" | "npm" | "builder";
                        links?: {
                            title: string;
                            url: string;
                        }[];
                        /** Format: uuid */
                        listing_id: string;
                        live_version: number | null;
                        /** @description null: free */
                        price: {
                            currency: string;
                            /** @description Decimal, 6 places */
                            per_call: string;
                        } | null;
                        provider: {
                            display_name: string | null;
                            user_id: string;
                        };
                        /** @description The reviewer's reason (always given for a rejection) */
                        reason?: string | null;
                        /** Format: date-time */
                        reviewed_at?: string | null;
                        slug: string;
                        /** @description { type: "http", url, transport }, { type: "npm", package, version, integrity, bin?, args }, or { type: "builder", service_id, version, openapi } (the builder version's definition, copied at submission) */
                        source: {
                            [key: string]: unknown;
                        };
                        /** @enum {string} */
                        state: "pending" | "approved" | "rejected" | "superseded";
                        title: string;
                        version: number;
                        /**
                         * Format: date-time
                         * @description When the listing was withdrawn (null: it was not)
                         */
                        withdrawn_at?: string | null;
                    };
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: administrators only */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminMarketplaceDecide: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Listing ID */
                id: string;
                version: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    decision: "approve" | "reject";
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description Version */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        categories?: string[];
                        changelog?: string;
                        /** Format: date-time */
                        created_at?: string;
                        credentials: {
                            [key: string]: unknown;
                        }[];
                        description?: string;
                        icon_url?: string | null;
                        /** Format: date-time */
                        inspected_at?: string | null;
                        /** @description What the platform saw when it connected to the version with the SDK client */
                        inspection: {
                            error?: string;
                            ok: boolean;
                            prompts: {
                                description?: string;
                                name: string;
                            }[];
                            resources: {
                                description?: string;
                                mimeType?: string;
                                name: string;
                                uri: string;
                            }[];
                            resourceTemplates: {
                                name: string;
                                uriTemplate: string;
                            }[];
                            server?: {
                                name?: string;
                                version?: string;
                            };
                            tools: {
                                description?: string;
                                inputSchema?: unknown;
                                name: string;
                                title?: string;
                            }[];
                        } | null;
                        /** @enum {string} */
                        kind: "http" | "npm" | "builder";
                        links?: {
                            title: string;
                            url: string;
                        }[];
                        /** Format: uuid */
                        listing_id: string;
                        live_version: number | null;
                        /** @description null: free */
                        price: {
                            currency: string;
                            /** @description Decimal, 6 places */
                            per_call: string;
                        } | null;
                        provider: {
                            display_name: string | null;
                            user_id: string;
                        };
                        /** @description The reviewer's reason (always given for a rejection) */
                        reason?: string | null;
                        /** Format: date-time */
                        reviewed_at?: string | null;
                        slug: string;
                        /** @description { type: "http", url, transport }, { type: "npm", package, version, integrity, bin?, args }, or { type: "builder", service_id, version, openapi } (the builder version's definition, copied at submission) */
                        source: {
                            [key: string]: unknown;
                        };
                        /** @enum {string} */
                        state: "pending" | "approved" | "rejected" | "superseded";
                        title: string;
                        version: number;
                        /**
                         * Format: date-time
                         * @description When the listing was withdrawn (null: it was not)
                         */
                        withdrawn_at?: string | null;
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: administrators only */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid_state, older_version, not_inspected, slug_taken or listing_withdrawn */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminMarketplaceInspect: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Listing ID */
                id: string;
                version: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @default {} */
                    credentials?: {
                        [key: string]: string;
                    };
                };
            };
        };
        responses: {
            /** @description Version */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        categories?: string[];
                        changelog?: string;
                        /** Format: date-time */
                        created_at?: string;
                        credentials: {
                            [key: string]: unknown;
                        }[];
                        description?: string;
                        icon_url?: string | null;
                        /** Format: date-time */
                        inspected_at?: string | null;
                        /** @description What the platform saw when it connected to the version with the SDK client */
                        inspection: {
                            error?: string;
                            ok: boolean;
                            prompts: {
                                description?: string;
                                name: string;
                            }[];
                            resources: {
                                description?: string;
                                mimeType?: string;
                                name: string;
                                uri: string;
                            }[];
                            resourceTemplates: {
                                name: string;
                                uriTemplate: string;
                            }[];
                            server?: {
                                name?: string;
                                version?: string;
                            };
                            tools: {
                                description?: string;
                                inputSchema?: unknown;
                                name: string;
                                title?: string;
                            }[];
                        } | null;
                        /** @enum {string} */
                        kind: "http" | "npm" | "builder";
                        links?: {
                            title: string;
                            url: string;
                        }[];
                        /** Format: uuid */
                        listing_id: string;
                        live_version: number | null;
                        /** @description null: free */
                        price: {
                            currency: string;
                            /** @description Decimal, 6 places */
                            per_call: string;
                        } | null;
                        provider: {
                            display_name: string | null;
                            user_id: string;
                        };
                        /** @description The reviewer's reason (always given for a rejection) */
                        reason?: string | null;
                        /** Format: date-time */
                        reviewed_at?: string | null;
                        slug: string;
                        /** @description { type: "http", url, transport }, { type: "npm", package, version, integrity, bin?, args }, or { type: "builder", service_id, version, openapi } (the builder version's definition, copied at submission) */
                        source: {
                            [key: string]: unknown;
                        };
                        /** @enum {string} */
                        state: "pending" | "approved" | "rejected" | "superseded";
                        title: string;
                        version: number;
                        /**
                         * Format: date-time
                         * @description When the listing was withdrawn (null: it was not)
                         */
                        withdrawn_at?: string | null;
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: administrators only */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminPayouts: {
        parameters: {
            query: {
                /** @description json (default) or csv */
                format?: "json" | "csv";
                /** @description YYYY-MM */
                month: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Payout report: per provider, calls and revenue per service and currency */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        period: {
                            /** Format: date-time */
                            end: string;
                            /** Format: date-time */
                            start: string;
                        };
                        providers: {
                            lines: {
                                calls: number;
                                currency: string | null;
                                revenue: string | null;
                                service: string;
                            }[];
                            /** Format: uuid */
                            provider_id: string;
                            totals: {
                                currency: string;
                                revenue: string;
                            }[];
                        }[];
                    };
                    "text/csv": string;
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminListPlans: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Plans */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        plans: {
                            /** Format: date-time */
                            created_at: string;
                            id: string;
                            /** @description Calls per calendar month (UTC); null: no monthly quota */
                            monthly_calls: number | null;
                            name: string;
                            /** @description Calls per minute; null: only the platform rate limits */
                            per_minute: number | null;
                            /** @description Calls per calendar month to one service, by slug */
                            service_quotas: {
                                [key: string]: number;
                            };
                            /** @description At this share of a quota, answers carry the Quota-Warning header */
                            soft_limit_percent: number;
                            /** Format: date-time */
                            updated_at: string;
                        }[];
                    };
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminCreatePlan: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    id: string;
                    /** @default null */
                    monthly_calls?: number | null;
                    name: string;
                    /** @default null */
                    per_minute?: number | null;
                    /** @default {} */
                    service_quotas?: {
                        [key: string]: number;
                    };
                    /** @default 80 */
                    soft_limit_percent?: number;
                };
            };
        };
        responses: {
            /** @description Plan */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        created_at: string;
                        id: string;
                        /** @description Calls per calendar month (UTC); null: no monthly quota */
                        monthly_calls: number | null;
                        name: string;
                        /** @description Calls per minute; null: only the platform rate limits */
                        per_minute: number | null;
                        /** @description Calls per calendar month to one service, by slug */
                        service_quotas: {
                            [key: string]: number;
                        };
                        /** @description At this share of a quota, answers carry the Quota-Warning header */
                        soft_limit_percent: number;
                        /** Format: date-time */
                        updated_at: string;
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description plan_exists */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminGetPlan: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Plan ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Plan */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        created_at: string;
                        id: string;
                        /** @description Calls per calendar month (UTC); null: no monthly quota */
                        monthly_calls: number | null;
                        name: string;
                        /** @description Calls per minute; null: only the platform rate limits */
                        per_minute: number | null;
                        /** @description Calls per calendar month to one service, by slug */
                        service_quotas: {
                            [key: string]: number;
                        };
                        /** @description At this share of a quota, answers carry the Quota-Warning header */
                        soft_limit_percent: number;
                        /** Format: date-time */
                        updated_at: string;
                    };
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminDeletePlan: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Plan ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description plan_in_use */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminPatchPlan: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Plan ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    monthly_calls?: number | null;
                    name?: string;
                    per_minute?: number | null;
                    service_quotas?: {
                        [key: string]: number;
                    };
                    soft_limit_percent?: number;
                };
            };
        };
        responses: {
            /** @description Plan */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        created_at: string;
                        id: string;
                        /** @description Calls per calendar month (UTC); null: no monthly quota */
                        monthly_calls: number | null;
                        name: string;
                        /** @description Calls per minute; null: only the platform rate limits */
                        per_minute: number | null;
                        /** @description Calls per calendar month to one service, by slug */
                        service_quotas: {
                            [key: string]: number;
                        };
                        /** @description At this share of a quota, answers carry the Quota-Warning header */
                        soft_limit_percent: number;
                        /** Format: date-time */
                        updated_at: string;
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminListPrices: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prices */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        prices: {
                            currency: string;
                            /** @description Decimal, 6 places */
                            price_per_call: string;
                            service: string;
                            /** Format: date-time */
                            updated_at: string;
                        }[];
                    };
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminSetPrice: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug */
                service: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @default USD */
                    currency?: string;
                    price_per_call: string;
                };
            };
        };
        responses: {
            /** @description Price */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        currency: string;
                        /** @description Decimal, 6 places */
                        price_per_call: string;
                        service: string;
                        /** Format: date-time */
                        updated_at: string;
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminDeletePrice: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug */
                service: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminPriceHistory: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug */
                service: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Price history */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        history: {
                            currency: string | null;
                            price_per_call: string | null;
                            /** Format: date-time */
                            valid_from: string;
                        }[];
                        service: string;
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getRouterPool: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Pool, instance health and replicas */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        http: {
                            [key: string]: {
                                consecutiveFailures: number;
                                ejectedUntil: string | null;
                                ejections: number;
                                /** @description Connected clients idle in the pool, kept for the next stateless call */
                                idleClients: number;
                                lastCheckedAt: string | null;
                                lastError: string | null;
                                leases: number;
                                outstanding: number;
                                /** @description Upstream clients (sessions) this replica keeps for 2025-era client sessions */
                                sessionClients: number;
                                /** @enum {string} */
                                status: "healthy" | "ejected" | "half-open";
                                url: string;
                            }[];
                        };
                        replica: {
                            address: string;
                            id: string;
                        };
                        replicas: {
                            /** @enum {string} */
                            directory: "redis" | "database" | "single";
                            live: {
                                address: string;
                                id: string;
                            }[];
                        };
                        stdio: {
                            crashed: number;
                            entries: {
                                lastUsedAt: string;
                                leases: number;
                                pid: number | null;
                                serviceId: string;
                                serviceSlug: string;
                                startedAt: string;
                                /** @enum {string} */
                                state: "starting" | "ready";
                                userId: string;
                            }[];
                            idleTimeoutMs: number;
                            maxPerUser: number;
                            maxProcesses: number;
                            processes: number;
                            rejectedFull: number;
                            started: number;
                            stopped: number;
                        };
                    };
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminListServices: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description All services */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        services: ({
                            /** @description The kind-specific settings as stored (stdio command/package, args, env; http transport, timeout_ms, oauth; builtin server; openapi definition) */
                            config: {
                                [key: string]: unknown;
                            };
                            created_at?: string;
                            credential_schema: ({
                                description?: string;
                                /** @description {env}, {header, template?} or {context} */
                                inject: {
                                    [key: string]: string;
                                };
                                max_length: number;
                                name: string;
                                required: boolean;
                                secret: boolean;
                                title: string;
                            } & {
                                [key: string]: unknown;
                            })[];
                            description: string;
                            enabled: boolean;
                            id: string;
                            instances: {
                                consecutive_failures?: number;
                                id: string;
                                last_checked_at?: string | null;
                                /** @enum {string} */
                                source: "catalog" | "admin";
                                /**
                                 * @description Shared health as the replicas last reported it (circuit state per replica: GET /v1/admin/router/pool)
                                 * @enum {string}
                                 */
                                status: "unknown" | "healthy" | "unhealthy";
                                status_changed_at?: string | null;
                                status_reported_by?: string | null;
                                url: string;
                            }[];
                            /** @enum {string} */
                            kind: "builtin" | "stdio" | "http" | "openapi";
                            /**
                             * @description What the request log keeps of this service: off (no row), metadata (row without bodies), full (row with redacted, size-capped bodies)
                             * @enum {string}
                             */
                            payload_capture: "off" | "metadata" | "full";
                            /** @description Why the service cannot be used (e.g. a missing builtin) */
                            problem?: string;
                            roles: ("user" | "admin")[];
                            slug: string;
                            /**
                             * @description catalog: defined in the catalog file; only enabled, roles, tool_policy and payload_capture change here
                             * @enum {string}
                             */
                            source: "catalog" | "admin";
                            title: string;
                            tool_policy: {
                                allow?: string[];
                                deny?: string[];
                            };
                            updated_at?: string;
                        } & {
                            [key: string]: unknown;
                        })[];
                    };
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller is not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminCreateService: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description The same shape as an entry of catalog/services.yaml */
        requestBody: {
            content: {
                "application/json": {
                    builtin: {
                        server: string;
                    };
                    /** @default [] */
                    credentials?: {
                        description?: string;
                        inject: {
                            env: string;
                        } | {
                            header: string;
                            template?: string;
                        } | {
                            context: string;
                        };
                        max_length?: number;
                        name: string;
                        /** @default true */
                        required?: boolean;
                        /** @default true */
                        secret?: boolean;
                        title: string;
                    }[];
                    /** @default  */
                    description?: string;
                    /** @default true */
                    enabled?: boolean;
                    /** @constant */
                    kind: "builtin";
                    /**
                     * @description Request log of this service: off (no row), metadata (row without bodies), full (row with redacted, size-capped bodies)
                     * @default metadata
                     * @enum {string}
                     */
                    payload_capture?: "off" | "metadata" | "full";
                    /**
                     * @default [
                     *       "user",
                     *       "admin"
                     *     ]
                     */
                    roles?: ("user" | "admin")[];
                    slug: string;
                    title: string;
                    /** @default {} */
                    tool_policy?: {
                        allow?: string[];
                        deny?: string[];
                    };
                } | {
                    /** @default [] */
                    credentials?: {
                        description?: string;
                        inject: {
                            env: string;
                        } | {
                            header: string;
                            template?: string;
                        } | {
                            context: string;
                        };
                        max_length?: number;
                        name: string;
                        /** @default true */
                        required?: boolean;
                        /** @default true */
                        secret?: boolean;
                        title: string;
                    }[];
                    /** @default  */
                    description?: string;
                    /** @default true */
                    enabled?: boolean;
                    /** @constant */
                    kind: "stdio";
                    /**
                     * @description Request log of this service: off (no row), metadata (row without bodies), full (row with redacted, size-capped bodies)
                     * @default metadata
                     * @enum {string}
                     */
                    payload_capture?: "off" | "metadata" | "full";
                    /**
                     * @default [
                     *       "user",
                     *       "admin"
                     *     ]
                     */
                    roles?: ("user" | "admin")[];
                    slug: string;
                    stdio: {
                        /** @default [] */
                        args?: string[];
                        command?: string;
                        env?: {
                            [key: string]: string;
                        };
                        package?: {
                            name: string;
                            script: string;
                        };
                    };
                    title: string;
                    /** @default {} */
                    tool_policy?: {
                        allow?: string[];
                        deny?: string[];
                    };
                } | {
                    /** @default [] */
                    credentials?: {
                        description?: string;
                        inject: {
                            env: string;
                        } | {
                            header: string;
                            template?: string;
                        } | {
                            context: string;
                        };
                        max_length?: number;
                        name: string;
                        /** @default true */
                        required?: boolean;
                        /** @default true */
                        secret?: boolean;
                        title: string;
                    }[];
                    /** @default  */
                    description?: string;
                    /** @default true */
                    enabled?: boolean;
                    http: {
                        /** @default [] */
                        instances?: string[];
                        oauth?: {
                            /** Format: uri */
                            authorization_endpoint?: string;
                            client_id_env: string;
                            client_secret_env?: string;
                            client_secret_file?: string;
                            /**
                             * @default {
                             *       "header": "Authorization",
                             *       "template": "Bearer {value}"
                             *     }
                             */
                            inject?: {
                                header: string;
                                template?: string;
                            };
                            /** Format: uri */
                            issuer?: string;
                            /** Format: uri */
                            revocation_endpoint?: string;
                            /** @default [] */
                            scopes?: string[];
                            /** Format: uri */
                            token_endpoint?: string;
                        };
                        timeout_ms?: number;
                        /**
                         * @default streamable-http
                         * @enum {string}
                         */
                        transport?: "streamable-http" | "sse";
                    };
                    /** @constant */
                    kind: "http";
                    /**
                     * @description Request log of this service: off (no row), metadata (row without bodies), full (row with redacted, size-capped bodies)
                     * @default metadata
                     * @enum {string}
                     */
                    payload_capture?: "off" | "metadata" | "full";
                    /**
                     * @default [
                     *       "user",
                     *       "admin"
                     *     ]
                     */
                    roles?: ("user" | "admin")[];
                    slug: string;
                    title: string;
                    /** @default {} */
                    tool_policy?: {
                        allow?: string[];
                        deny?: string[];
                    };
                } | {
                    /** @default [] */
                    credentials?: {
                        description?: string;
                        inject: {
                            env: string;
                        } | {
                            header: string;
                            template?: string;
                        } | {
                            context: string;
                        };
                        max_length?: number;
                        name: string;
                        /** @default true */
                        required?: boolean;
                        /** @default true */
                        secret?: boolean;
                        title: string;
                    }[];
                    /** @default  */
                    description?: string;
                    /** @default true */
                    enabled?: boolean;
                    /** @constant */
                    kind: "openapi";
                    openapi: {
                        /** @default [] */
                        auth?: ({
                            credential: string;
                            /** @enum {string} */
                            in: "header" | "query" | "cookie";
                            name: string;
                            /** @constant */
                            type: "api_key";
                        } | {
                            credential: string;
                            /** @constant */
                            type: "bearer";
                        } | {
                            password: string;
                            /** @constant */
                            type: "basic";
                            username: string;
                        })[];
                        /** Format: uri */
                        base_url: string;
                        max_response_bytes?: number;
                        timeout_ms?: number;
                        tools: {
                            /** @default  */
                            description?: string;
                            inputSchema: {
                                [key: string]: unknown;
                            };
                            name: string;
                            operation: {
                                body?: {
                                    arg: string;
                                    /** @enum {string} */
                                    content_type: "application/json" | "application/x-www-form-urlencoded" | "text/plain";
                                };
                                /** @enum {string} */
                                method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";
                                /** @default [] */
                                parameters?: {
                                    arg: string;
                                    /** @enum {string} */
                                    in: "path" | "query" | "header" | "cookie";
                                    name: string;
                                    /** @enum {string} */
                                    style?: "form" | "deepObject";
                                }[];
                                path: string;
                            };
                            outputSchema?: {
                                [key: string]: unknown;
                            };
                            title?: string;
                        }[];
                    };
                    /**
                     * @description Request log of this service: off (no row), metadata (row without bodies), full (row with redacted, size-capped bodies)
                     * @default metadata
                     * @enum {string}
                     */
                    payload_capture?: "off" | "metadata" | "full";
                    /**
                     * @default [
                     *       "user",
                     *       "admin"
                     *     ]
                     */
                    roles?: ("user" | "admin")[];
                    slug: string;
                    title: string;
                    /** @default {} */
                    tool_policy?: {
                        allow?: string[];
                        deny?: string[];
                    };
                };
            };
        };
        responses: {
            /** @description Registered */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The kind-specific settings as stored (stdio command/package, args, env; http transport, timeout_ms, oauth; builtin server; openapi definition) */
                        config: {
                            [key: string]: unknown;
                        };
                        created_at?: string;
                        credential_schema: ({
                            description?: string;
                            /** @description {env}, {header, template?} or {context} */
                            inject: {
                                [key: string]: string;
                            };
                            max_length: number;
                            name: string;
                            required: boolean;
                            secret: boolean;
                            title: string;
                        } & {
                            [key: string]: unknown;
                        })[];
                        description: string;
                        enabled: boolean;
                        id: string;
                        instances: {
                            consecutive_failures?: number;
                            id: string;
                            last_checked_at?: string | null;
                            /** @enum {string} */
                            source: "catalog" | "admin";
                            /**
                             * @description Shared health as the replicas last reported it (circuit state per replica: GET /v1/admin/router/pool)
                             * @enum {string}
                             */
                            status: "unknown" | "healthy" | "unhealthy";
                            status_changed_at?: string | null;
                            status_reported_by?: string | null;
                            url: string;
                        }[];
                        /** @enum {string} */
                        kind: "builtin" | "stdio" | "http" | "openapi";
                        /**
                         * @description What the request log keeps of this service: off (no row), metadata (row without bodies), full (row with redacted, size-capped bodies)
                         * @enum {string}
                         */
                        payload_capture: "off" | "metadata" | "full";
                        /** @description Why the service cannot be used (e.g. a missing builtin) */
                        problem?: string;
                        roles: ("user" | "admin")[];
                        slug: string;
                        /**
                         * @description catalog: defined in the catalog file; only enabled, roles, tool_policy and payload_capture change here
                         * @enum {string}
                         */
                        source: "catalog" | "admin";
                        title: string;
                        tool_policy: {
                            allow?: string[];
                            deny?: string[];
                        };
                        updated_at?: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Invalid definition, or an instance URL the egress guard refuses (instance_url_refused: link-local or cloud metadata address in any spelling), or an openapi base URL it refuses (base_url_refused) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller is not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Slug taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminGetService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The service */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The kind-specific settings as stored (stdio command/package, args, env; http transport, timeout_ms, oauth; builtin server; openapi definition) */
                        config: {
                            [key: string]: unknown;
                        };
                        created_at?: string;
                        credential_schema: ({
                            description?: string;
                            /** @description {env}, {header, template?} or {context} */
                            inject: {
                                [key: string]: string;
                            };
                            max_length: number;
                            name: string;
                            required: boolean;
                            secret: boolean;
                            title: string;
                        } & {
                            [key: string]: unknown;
                        })[];
                        description: string;
                        enabled: boolean;
                        id: string;
                        instances: {
                            consecutive_failures?: number;
                            id: string;
                            last_checked_at?: string | null;
                            /** @enum {string} */
                            source: "catalog" | "admin";
                            /**
                             * @description Shared health as the replicas last reported it (circuit state per replica: GET /v1/admin/router/pool)
                             * @enum {string}
                             */
                            status: "unknown" | "healthy" | "unhealthy";
                            status_changed_at?: string | null;
                            status_reported_by?: string | null;
                            url: string;
                        }[];
                        /** @enum {string} */
                        kind: "builtin" | "stdio" | "http" | "openapi";
                        /**
                         * @description What the request log keeps of this service: off (no row), metadata (row without bodies), full (row with redacted, size-capped bodies)
                         * @enum {string}
                         */
                        payload_capture: "off" | "metadata" | "full";
                        /** @description Why the service cannot be used (e.g. a missing builtin) */
                        problem?: string;
                        roles: ("user" | "admin")[];
                        slug: string;
                        /**
                         * @description catalog: defined in the catalog file; only enabled, roles, tool_policy and payload_capture change here
                         * @enum {string}
                         */
                        source: "catalog" | "admin";
                        title: string;
                        tool_policy: {
                            allow?: string[];
                            deny?: string[];
                        };
                        updated_at?: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller is not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such service */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminDeleteService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed, with every user credential for it */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller is not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such service */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Catalog-file service: disable it instead */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminPatchService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    builtin?: {
                        server: string;
                    };
                    credentials?: {
                        description?: string;
                        inject: {
                            env: string;
                        } | {
                            header: string;
                            template?: string;
                        } | {
                            context: string;
                        };
                        max_length?: number;
                        name: string;
                        /** @default true */
                        required?: boolean;
                        /** @default true */
                        secret?: boolean;
                        title: string;
                    }[];
                    description?: string;
                    enabled?: boolean;
                    http?: {
                        oauth?: {
                            /** Format: uri */
                            authorization_endpoint?: string;
                            client_id_env: string;
                            client_secret_env?: string;
                            client_secret_file?: string;
                            /**
                             * @default {
                             *       "header": "Authorization",
                             *       "template": "Bearer {value}"
                             *     }
                             */
                            inject?: {
                                header: string;
                                template?: string;
                            };
                            /** Format: uri */
                            issuer?: string;
                            /** Format: uri */
                            revocation_endpoint?: string;
                            /** @default [] */
                            scopes?: string[];
                            /** Format: uri */
                            token_endpoint?: string;
                        };
                        timeout_ms?: number;
                        /**
                         * @default streamable-http
                         * @enum {string}
                         */
                        transport?: "streamable-http" | "sse";
                    };
                    openapi?: {
                        /** @default [] */
                        auth?: ({
                            credential: string;
                            /** @enum {string} */
                            in: "header" | "query" | "cookie";
                            name: string;
                            /** @constant */
                            type: "api_key";
                        } | {
                            credential: string;
                            /** @constant */
                            type: "bearer";
                        } | {
                            password: string;
                            /** @constant */
                            type: "basic";
                            username: string;
                        })[];
                        /** Format: uri */
                        base_url: string;
                        max_response_bytes?: number;
                        timeout_ms?: number;
                        tools: {
                            /** @default  */
                            description?: string;
                            inputSchema: {
                                [key: string]: unknown;
                            };
                            name: string;
                            operation: {
                                body?: {
                                    arg: string;
                                    /** @enum {string} */
                                    content_type: "application/json" | "application/x-www-form-urlencoded" | "text/plain";
                                };
                                /** @enum {string} */
                                method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";
                                /** @default [] */
                                parameters?: {
                                    arg: string;
                                    /** @enum {string} */
                                    in: "path" | "query" | "header" | "cookie";
                                    name: string;
                                    /** @enum {string} */
                                    style?: "form" | "deepObject";
                                }[];
                                path: string;
                            };
                            outputSchema?: {
                                [key: string]: unknown;
                            };
                            title?: string;
                        }[];
                    };
                    /**
                     * @description Request log of this service: off (no row), metadata (row without bodies), full (row with redacted, size-capped bodies)
                     * @enum {string}
                     */
                    payload_capture?: "off" | "metadata" | "full";
                    roles?: ("user" | "admin")[];
                    stdio?: {
                        /** @default [] */
                        args?: string[];
                        command?: string;
                        env?: {
                            [key: string]: string;
                        };
                        package?: {
                            name: string;
                            script: string;
                        };
                    };
                    title?: string;
                    tool_policy?: {
                        allow?: string[];
                        deny?: string[];
                    };
                };
            };
        };
        responses: {
            /** @description Changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The kind-specific settings as stored (stdio command/package, args, env; http transport, timeout_ms, oauth; builtin server; openapi definition) */
                        config: {
                            [key: string]: unknown;
                        };
                        created_at?: string;
                        credential_schema: ({
                            description?: string;
                            /** @description {env}, {header, template?} or {context} */
                            inject: {
                                [key: string]: string;
                            };
                            max_length: number;
                            name: string;
                            required: boolean;
                            secret: boolean;
                            title: string;
                        } & {
                            [key: string]: unknown;
                        })[];
                        description: string;
                        enabled: boolean;
                        id: string;
                        instances: {
                            consecutive_failures?: number;
                            id: string;
                            last_checked_at?: string | null;
                            /** @enum {string} */
                            source: "catalog" | "admin";
                            /**
                             * @description Shared health as the replicas last reported it (circuit state per replica: GET /v1/admin/router/pool)
                             * @enum {string}
                             */
                            status: "unknown" | "healthy" | "unhealthy";
                            status_changed_at?: string | null;
                            status_reported_by?: string | null;
                            url: string;
                        }[];
                        /** @enum {string} */
                        kind: "builtin" | "stdio" | "http" | "openapi";
                        /**
                         * @description What the request log keeps of this service: off (no row), metadata (row without bodies), full (row with redacted, size-capped bodies)
                         * @enum {string}
                         */
                        payload_capture: "off" | "metadata" | "full";
                        /** @description Why the service cannot be used (e.g. a missing builtin) */
                        problem?: string;
                        roles: ("user" | "admin")[];
                        slug: string;
                        /**
                         * @description catalog: defined in the catalog file; only enabled, roles, tool_policy and payload_capture change here
                         * @enum {string}
                         */
                        source: "catalog" | "admin";
                        title: string;
                        tool_policy: {
                            allow?: string[];
                            deny?: string[];
                        };
                        updated_at?: string;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Invalid change, or an openapi base URL the egress guard refuses (base_url_refused) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller is not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such service */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Field owned by the catalog file (catalog_managed), or by a marketplace listing's review (listing_managed) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminAddServiceInstance: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: uri */
                    url: string;
                };
            };
        };
        responses: {
            /** @description Registered */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description Not an http service, a bad URL, or a URL the egress guard refuses (instance_url_refused: link-local or cloud metadata address in any spelling) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller is not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such service */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Already registered, or a marketplace listing's service (listing_managed: its instances change only by review) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminDeleteServiceInstance: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
                instanceId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller is not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such service or instance */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Declared in the catalog file, or a marketplace listing's service (listing_managed) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminListServiceTools: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tools */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Required credential fields the admin has not stored (the listing connects with the admin's own credentials) */
                        missing_credentials?: string[];
                        service: string;
                        tools: {
                            description?: string;
                            name: string;
                            title?: string;
                            /** @description Whether the current tool policy lets users see and call it */
                            visible: boolean;
                        }[];
                    };
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller is not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such service */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The service cannot be run (service_unavailable: its problem), or connects by OAuth and the admin has not connected it (oauth_not_connected) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description stdio_user_limit: the admin already runs as many stdio processes as allowed */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Listing live tools is not available in this process */
            501: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The upstream could not start, crashed or refused (upstream_start_failed, upstream_crashed, upstream_unauthorized, …); the message names missing credentials */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No instance reachable, or the stdio pool is full */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The upstream did not answer within MCP_UPSTREAM_TIMEOUT_MS */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminFinalizeStatements: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    month: string;
                    /** Format: uuid */
                    user_id?: string;
                };
            };
        };
        responses: {
            /** @description What was finalised */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        already_final: number;
                        finalized: number;
                        month: string;
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description month_not_ended */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminTraffic: {
        parameters: {
            query?: {
                kind?: "mcp" | "rest";
                window_seconds?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Traffic of the window */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        bucket_seconds: number;
                        from: string;
                        /** @enum {string} */
                        kind: "mcp" | "rest";
                        series: {
                            calls: number;
                            errors: number;
                            start: string;
                        }[];
                        services: {
                            calls: number;
                            calls_per_second: number;
                            /** @description errors / calls (0 when there were no calls) */
                            error_rate: number;
                            errors: number;
                            p50_latency_ms: number | null;
                            p99_latency_ms: number | null;
                            service: string;
                        }[];
                        to: string;
                        total: {
                            calls: number;
                            calls_per_second: number;
                            /** @description errors / calls (0 when there were no calls) */
                            error_rate: number;
                            errors: number;
                            p50_latency_ms: number | null;
                            p99_latency_ms: number | null;
                        };
                        window_seconds: number;
                    };
                };
            };
            /** @description Invalid window or kind */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not an administrator */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminListUsers: {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page */
                cursor?: string;
                limit?: number;
                /** @description Case-insensitive substring of the email, matched literally */
                q?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of users */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        next_cursor: string | null;
                        users: {
                            created_at: string;
                            disabled: boolean;
                            disabled_at: string | null;
                            email: string | null;
                            external_issuer?: string | null;
                            /** Format: uuid */
                            id: string;
                            last_sign_in_at: string | null;
                            /** @description The user's plan (docs/billing.md); in the answer to a PATCH that set it */
                            plan?: string | null;
                            /** @enum {string} */
                            role: "user" | "admin";
                            updated_at?: string;
                        }[];
                    };
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminGetUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description User ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description User */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        created_at: string;
                        disabled: boolean;
                        disabled_at: string | null;
                        email: string | null;
                        external_issuer?: string | null;
                        /** Format: uuid */
                        id: string;
                        last_sign_in_at: string | null;
                        /** @description The user's plan (docs/billing.md); in the answer to a PATCH that set it */
                        plan?: string | null;
                        /** @enum {string} */
                        role: "user" | "admin";
                        updated_at?: string;
                    };
                };
            };
            /** @description forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminPatchUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description User ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    disabled?: boolean;
                    plan?: string | null;
                    /** @enum {string} */
                    role?: "user" | "admin";
                };
            };
        };
        responses: {
            /** @description Updated user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        created_at: string;
                        disabled: boolean;
                        disabled_at: string | null;
                        email: string | null;
                        external_issuer?: string | null;
                        /** Format: uuid */
                        id: string;
                        last_sign_in_at: string | null;
                        /** @description The user's plan (docs/billing.md); in the answer to a PATCH that set it */
                        plan?: string | null;
                        /** @enum {string} */
                        role: "user" | "admin";
                        updated_at?: string;
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description last_admin */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminGetUserQuota: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description User ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Quota */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        calls: {
                            limit: number | null;
                            used: number;
                        };
                        /** @description The calendar month (UTC), [start, end) */
                        period: {
                            /** Format: date-time */
                            end: string;
                            /** Format: date-time */
                            start: string;
                        };
                        /** @description The user's plan; null: none (no quota) */
                        plan: string | null;
                        services: {
                            limit: number | null;
                            service: string;
                            used: number;
                        }[];
                        soft_limit: {
                            percent: number;
                            reached: boolean;
                        } | null;
                    };
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminRevokeUserSessions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description User ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description How many sessions were revoked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        revoked: number;
                    };
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adminGetUserStatement: {
        parameters: {
            query?: {
                /** @description json (default) or csv */
                format?: "json" | "csv";
                /** @description YYYY-MM (default: this month so far) */
                month?: string;
            };
            header?: never;
            path: {
                /** @description User ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Statement: a line item per service, totals per currency */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        finalized_at: string | null;
                        /**
                         * Format: uuid
                         * @description The finalised statement's id (null while open)
                         */
                        id: string | null;
                        line_items: {
                            amount: string | null;
                            calls: number;
                            currency: string | null;
                            service: string;
                            /** @description null: the service has no price */
                            unit_price: string | null;
                        }[];
                        period: {
                            /** Format: date-time */
                            end: string;
                            /** Format: date-time */
                            start: string;
                        };
                        /**
                         * @description final: the immutable snapshot made when the month was finalised
                         * @enum {string}
                         */
                        status: "open" | "final";
                        totals: {
                            amount: string;
                            currency: string;
                        }[];
                        /** Format: uuid */
                        user_id: string;
                    };
                    "text/csv": string;
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden (not an admin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listApiKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Keys */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        api_keys: {
                            created_at: string;
                            expires_at: string | null;
                            id: string;
                            last_used_at: string | null;
                            name: string;
                            prefix: string;
                            services: string[] | null;
                        }[];
                    };
                };
            };
            /** @description unauthorized / invalid_token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    expires_at?: string | null;
                    name: string;
                    services?: string[] | null;
                };
            };
        };
        responses: {
            /** @description Created; `key` (mcp_sk_...) is shown once */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        created_at: string;
                        expires_at: string | null;
                        id: string;
                        key: string;
                        last_used_at: string | null;
                        name: string;
                        prefix: string;
                        services: string[] | null;
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized / invalid_token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden (a scoped key cannot widen its scope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too_many_api_keys */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description API key ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Key */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        created_at: string;
                        expires_at: string | null;
                        id: string;
                        last_used_at: string | null;
                        name: string;
                        prefix: string;
                        services: string[] | null;
                    };
                };
            };
            /** @description not_found (also for another user’s key) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description API key ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not_found (also for another user’s key) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    builderAccess: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The answer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        allowed: boolean;
                        reason?: string;
                    };
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    importApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: uri */
                    url: string;
                } | {
                    [key: string]: unknown;
                };
                "application/yaml": string;
            };
        };
        responses: {
            /** @description The proposed tools, credentials and what could not be mapped */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Where each credential goes (`openapi.auth`) */
                        auth: {
                            [key: string]: unknown;
                        }[];
                        /** @description From the first server entry; null when the document names none usable */
                        base_url: string | null;
                        /** @description Credential fields for the service, one per security scheme value */
                        credentials: {
                            [key: string]: unknown;
                        }[];
                        description: string;
                        notes: {
                            note?: string;
                            operation?: string;
                        }[];
                        security_skipped: {
                            reason?: string;
                            scheme?: string;
                        }[];
                        skipped: {
                            operation: string;
                            reason: string;
                        }[];
                        /** @description 2.0, 3.0.x or 3.1.x, as given */
                        source_version: string;
                        /** @description The document's tags of each tool's operation, by tool name */
                        tags: {
                            [key: string]: string[];
                        };
                        title: string;
                        /** @description One per mapped operation, ready for `openapi.tools` of POST /v1/admin/services */
                        tools: {
                            description: string;
                            /** @description A JSON Schema (2020-12) */
                            inputSchema: {
                                [key: string]: unknown;
                            };
                            name: string;
                            operation: {
                                body?: {
                                    arg?: string;
                                    content_type?: string;
                                };
                                method: string;
                                parameters: {
                                    arg?: string;
                                    /** @enum {string} */
                                    in?: "path" | "query" | "header" | "cookie";
                                    name?: string;
                                    style?: string;
                                }[];
                                path: string;
                            };
                            /** @description A JSON Schema (2020-12) */
                            outputSchema?: {
                                [key: string]: unknown;
                            };
                            title?: string;
                        }[];
                    };
                };
            };
            /** @description Invalid body, or an import URL the egress guard refuses (import_url_refused) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller may not build (admins; users with BUILDER_USERS=true) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The document is larger than BUILDER_IMPORT_MAX_BYTES (the message names the limit) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is neither JSON nor YAML */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The document cannot be read: not JSON/YAML, not OpenAPI, or an unresolvable $ref (details name where) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The document URL could not be fetched */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listBuilderServices: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The services */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        services: {
                            created_at: string;
                            description: string;
                            enabled: boolean;
                            id: string;
                            latest_version: number | null;
                            /** @description The published version; null until one is published */
                            live_version: number | null;
                            /** @description The user who built it (BUILDER_USERS); null for a platform service */
                            owner_id: string | null;
                            slug: string;
                            title: string;
                            /** @description Tools of the live definition */
                            tools: number;
                            updated_at: string;
                        }[];
                    };
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller may not build (admins; users with BUILDER_USERS=true) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createBuilderService: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @default [] */
                    credentials?: {
                        description?: string;
                        inject: {
                            env: string;
                        } | {
                            header: string;
                            template?: string;
                        } | {
                            context: string;
                        };
                        max_length?: number;
                        name: string;
                        /** @default true */
                        required?: boolean;
                        /** @default true */
                        secret?: boolean;
                        title: string;
                    }[];
                    description?: string;
                    enabled?: boolean;
                    openapi: {
                        /** @default [] */
                        auth?: ({
                            credential: string;
                            /** @enum {string} */
                            in: "header" | "query" | "cookie";
                            name: string;
                            /** @constant */
                            type: "api_key";
                        } | {
                            credential: string;
                            /** @constant */
                            type: "bearer";
                        } | {
                            password: string;
                            /** @constant */
                            type: "basic";
                            username: string;
                        })[];
                        /** Format: uri */
                        base_url: string;
                        max_response_bytes?: number;
                        timeout_ms?: number;
                        tools: {
                            /** @default  */
                            description?: string;
                            inputSchema: {
                                [key: string]: unknown;
                            };
                            name: string;
                            operation: {
                                body?: {
                                    arg: string;
                                    /** @enum {string} */
                                    content_type: "application/json" | "application/x-www-form-urlencoded" | "text/plain";
                                };
                                /** @enum {string} */
                                method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";
                                /** @default [] */
                                parameters?: {
                                    arg: string;
                                    /** @enum {string} */
                                    in: "path" | "query" | "header" | "cookie";
                                    name: string;
                                    /** @enum {string} */
                                    style?: "form" | "deepObject";
                                }[];
                                path: string;
                            };
                            outputSchema?: {
                                [key: string]: unknown;
                            };
                            title?: string;
                        }[];
                    };
                    /** @enum {string} */
                    payload_capture?: "off" | "metadata" | "full";
                    /**
                     * @description Publish version 1 at once; otherwise nothing is served until a version is published
                     * @default false
                     */
                    publish?: boolean;
                    slug: string;
                    title: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        created_at: string;
                        description: string;
                        enabled: boolean;
                        id: string;
                        latest_version: number | null;
                        /** @description The published version; null until one is published */
                        live_version: number | null;
                        /** @description The user who built it (BUILDER_USERS); null for a platform service */
                        owner_id: string | null;
                        slug: string;
                        title: string;
                        /** @description Tools of the live definition */
                        tools: number;
                        updated_at: string;
                    };
                };
            };
            /** @description Invalid definition, or a base URL the egress guard refuses (base_url_refused: private, loopback, link-local or metadata address in any spelling, unless EGRESS_ALLOW names it) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller may not build (admins; users with BUILDER_USERS=true) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The slug is taken (slug_taken) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Larger than BUILDER_IMPORT_MAX_BYTES */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getBuilderService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The service */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        created_at: string;
                        description: string;
                        enabled: boolean;
                        id: string;
                        latest_version: number | null;
                        /** @description The published version; null until one is published */
                        live_version: number | null;
                        /** @description The user who built it (BUILDER_USERS); null for a platform service */
                        owner_id: string | null;
                        slug: string;
                        title: string;
                        /** @description Tools of the live definition */
                        tools: number;
                        updated_at: string;
                    };
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller may not build (admins; users with BUILDER_USERS=true) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such openapi service (or another user's: a user sees only their own) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteBuilderService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller may not build (admins; users with BUILDER_USERS=true) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such openapi service (or another user's: a user sees only their own) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rollbackService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Now live */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        live_version: number | null;
                        previous_version: number | null;
                    };
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller may not build (admins; users with BUILDER_USERS=true) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such openapi service (or another user's: a user sees only their own) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No earlier version was ever live (no_previous_version) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listServiceVersions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The versions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        live_version: number | null;
                        versions: {
                            created_at: string;
                            created_by: string | null;
                            /** @description When it last became live; null if never */
                            last_published_at: string | null;
                            live: boolean;
                            tools: number;
                            version: number;
                        }[];
                    };
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller may not build (admins; users with BUILDER_USERS=true) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such openapi service (or another user's: a user sees only their own) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    saveServiceVersion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @default [] */
                    credentials?: {
                        description?: string;
                        inject: {
                            env: string;
                        } | {
                            header: string;
                            template?: string;
                        } | {
                            context: string;
                        };
                        max_length?: number;
                        name: string;
                        /** @default true */
                        required?: boolean;
                        /** @default true */
                        secret?: boolean;
                        title: string;
                    }[];
                    openapi: {
                        /** @default [] */
                        auth?: ({
                            credential: string;
                            /** @enum {string} */
                            in: "header" | "query" | "cookie";
                            name: string;
                            /** @constant */
                            type: "api_key";
                        } | {
                            credential: string;
                            /** @constant */
                            type: "bearer";
                        } | {
                            password: string;
                            /** @constant */
                            type: "basic";
                            username: string;
                        })[];
                        /** Format: uri */
                        base_url: string;
                        max_response_bytes?: number;
                        timeout_ms?: number;
                        tools: {
                            /** @default  */
                            description?: string;
                            inputSchema: {
                                [key: string]: unknown;
                            };
                            name: string;
                            operation: {
                                body?: {
                                    arg: string;
                                    /** @enum {string} */
                                    content_type: "application/json" | "application/x-www-form-urlencoded" | "text/plain";
                                };
                                /** @enum {string} */
                                method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";
                                /** @default [] */
                                parameters?: {
                                    arg: string;
                                    /** @enum {string} */
                                    in: "path" | "query" | "header" | "cookie";
                                    name: string;
                                    /** @enum {string} */
                                    style?: "form" | "deepObject";
                                }[];
                                path: string;
                            };
                            outputSchema?: {
                                [key: string]: unknown;
                            };
                            title?: string;
                        }[];
                    };
                    /**
                     * @description Publish the saved version at once
                     * @default false
                     */
                    publish?: boolean;
                };
            };
        };
        responses: {
            /** @description The saved version */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        created_at: string;
                        created_by: string | null;
                        /** @description When it last became live; null if never */
                        last_published_at: string | null;
                        live: boolean;
                        tools: number;
                        version: number;
                    };
                };
            };
            /** @description Invalid definition, or a base URL the egress guard refuses (base_url_refused) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller may not build (admins; users with BUILDER_USERS=true) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such openapi service (or another user's: a user sees only their own) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Larger than BUILDER_IMPORT_MAX_BYTES */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getServiceVersion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
                version: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The version */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        created_at: string;
                        created_by: string | null;
                        definition: {
                            credentials: {
                                [key: string]: unknown;
                            }[];
                            /** @description As `openapi` of POST /v1/admin/services */
                            openapi: {
                                [key: string]: unknown;
                            };
                        };
                        /** @description When it last became live; null if never */
                        last_published_at: string | null;
                        live: boolean;
                        tools: number;
                        version: number;
                    };
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller may not build (admins; users with BUILDER_USERS=true) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such openapi service (or another user's: a user sees only their own) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    publishServiceVersion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
                version: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Now live */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        live_version: number | null;
                        previous_version: number | null;
                    };
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller may not build (admins; users with BUILDER_USERS=true) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such openapi service (or another user's: a user sees only their own) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    tryBuilderTool: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @default {} */
                    arguments?: {
                        [key: string]: unknown;
                    };
                    /**
                     * @description Your own credential values, by the names `openapi.auth` uses; used for this call only, never stored
                     * @default {}
                     */
                    credentials?: {
                        [key: string]: string;
                    };
                    openapi: {
                        /** @default [] */
                        auth?: ({
                            credential: string;
                            /** @enum {string} */
                            in: "header" | "query" | "cookie";
                            name: string;
                            /** @constant */
                            type: "api_key";
                        } | {
                            credential: string;
                            /** @constant */
                            type: "bearer";
                        } | {
                            password: string;
                            /** @constant */
                            type: "basic";
                            username: string;
                        })[];
                        /** Format: uri */
                        base_url: string;
                        max_response_bytes?: number;
                        timeout_ms?: number;
                        tools: {
                            /** @default  */
                            description?: string;
                            inputSchema: {
                                [key: string]: unknown;
                            };
                            name: string;
                            operation: {
                                body?: {
                                    arg: string;
                                    /** @enum {string} */
                                    content_type: "application/json" | "application/x-www-form-urlencoded" | "text/plain";
                                };
                                /** @enum {string} */
                                method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";
                                /** @default [] */
                                parameters?: {
                                    arg: string;
                                    /** @enum {string} */
                                    in: "path" | "query" | "header" | "cookie";
                                    name: string;
                                    /** @enum {string} */
                                    style?: "form" | "deepObject";
                                }[];
                                path: string;
                            };
                            outputSchema?: {
                                [key: string]: unknown;
                            };
                            title?: string;
                        }[];
                    };
                    tool: string;
                };
            };
        };
        responses: {
            /** @description What the tool returned (isError for API errors) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        content: ({
                            text?: string;
                            type: string;
                        } & {
                            [key: string]: unknown;
                        })[];
                        isError?: boolean;
                        structuredContent?: {
                            [key: string]: unknown;
                        };
                    };
                };
            };
            /** @description Invalid definition or no such tool */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Caller may not build (admins; users with BUILDER_USERS=true) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    marketplaceInstalls: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Listings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        listings: {
                            categories?: string[];
                            description?: string;
                            icon_url?: string | null;
                            /** Format: uuid */
                            id: string;
                            /** @description Whether the caller installed it */
                            installed: boolean;
                            installs: number;
                            /** @enum {string} */
                            kind: "http" | "npm" | "builder";
                            links?: {
                                title: string;
                                url: string;
                            }[];
                            /** @description null: free */
                            price: {
                                currency: string;
                                /** @description Decimal, 6 places */
                                per_call: string;
                            } | null;
                            provider: {
                                display_name: string;
                            };
                            rating: {
                                average: number | null;
                                count: number;
                            };
                            slug: string;
                            title: string;
                            /** Format: date-time */
                            updated_at?: string;
                            /** @description The live version */
                            version: number;
                            /**
                             * Format: date-time
                             * @description Withdrawn by its provider or an admin: only users who installed it still see it (and use it until they uninstall)
                             */
                            withdrawn_at?: string | null;
                        }[];
                    };
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    marketplaceBrowse: {
        parameters: {
            query?: {
                /** @description One category */
                category?: string;
                /** @description At most this many (1-100, default 50) */
                limit?: number;
                /** @description Only listings at or below this price per call (decimal) */
                max_price?: string;
                /** @description Skip this many */
                offset?: number;
                /** @description free or paid */
                price?: "free" | "paid";
                /** @description Words in the title, description or slug */
                q?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Listings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        listings: {
                            categories?: string[];
                            description?: string;
                            icon_url?: string | null;
                            /** Format: uuid */
                            id: string;
                            /** @description Whether the caller installed it */
                            installed: boolean;
                            installs: number;
                            /** @enum {string} */
                            kind: "http" | "npm" | "builder";
                            links?: {
                                title: string;
                                url: string;
                            }[];
                            /** @description null: free */
                            price: {
                                currency: string;
                                /** @description Decimal, 6 places */
                                per_call: string;
                            } | null;
                            provider: {
                                display_name: string;
                            };
                            rating: {
                                average: number | null;
                                count: number;
                            };
                            slug: string;
                            title: string;
                            /** Format: date-time */
                            updated_at?: string;
                            /** @description The live version */
                            version: number;
                            /**
                             * Format: date-time
                             * @description Withdrawn by its provider or an admin: only users who installed it still see it (and use it until they uninstall)
                             */
                            withdrawn_at?: string | null;
                        }[];
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    marketplaceListing: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Listing slug or ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Listing */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        categories?: string[];
                        changelog: {
                            approved_at: string | null;
                            changelog: string;
                            version: number;
                        }[];
                        credentials: {
                            description?: string;
                            name: string;
                            required: boolean;
                            secret: boolean;
                            title: string;
                        }[];
                        description?: string;
                        icon_url?: string | null;
                        /** Format: uuid */
                        id: string;
                        /** @description Whether the caller installed it */
                        installed: boolean;
                        installs: number;
                        /** @enum {string} */
                        kind: "http" | "npm" | "builder";
                        links?: {
                            title: string;
                            url: string;
                        }[];
                        /** @description null: free */
                        price: {
                            currency: string;
                            /** @description Decimal, 6 places */
                            per_call: string;
                        } | null;
                        prompts: {
                            description?: string;
                            name: string;
                        }[];
                        provider: {
                            display_name: string;
                        };
                        rating: {
                            average: number | null;
                            count: number;
                        };
                        resources: {
                            description?: string;
                            name: string;
                            uri: string;
                        }[];
                        /** @description Ratings without who gave them; `mine` marks the caller's */
                        reviews: {
                            mine: boolean;
                            rating: number;
                            review: string;
                            updated_at: string;
                        }[];
                        /** @description The service slug: /mcp/{service} once installed */
                        service: string;
                        slug: string;
                        title: string;
                        tools: {
                            description?: string;
                            name: string;
                            title?: string;
                        }[];
                        /** Format: date-time */
                        updated_at?: string;
                        /** @description The live version */
                        version: number;
                        /**
                         * Format: date-time
                         * @description Withdrawn by its provider or an admin: only users who installed it still see it (and use it until they uninstall)
                         */
                        withdrawn_at?: string | null;
                    };
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    marketplaceInstall: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Listing slug or ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Already installed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        categories?: string[];
                        changelog: {
                            approved_at: string | null;
                            changelog: string;
                            version: number;
                        }[];
                        credentials: {
                            description?: string;
                            name: string;
                            required: boolean;
                            secret: boolean;
                            title: string;
                        }[];
                        description?: string;
                        icon_url?: string | null;
                        /** Format: uuid */
                        id: string;
                        /** @description Whether the caller installed it */
                        installed: boolean;
                        installs: number;
                        /** @enum {string} */
                        kind: "http" | "npm" | "builder";
                        links?: {
                            title: string;
                            url: string;
                        }[];
                        /** @description null: free */
                        price: {
                            currency: string;
                            /** @description Decimal, 6 places */
                            per_call: string;
                        } | null;
                        prompts: {
                            description?: string;
                            name: string;
                        }[];
                        provider: {
                            display_name: string;
                        };
                        rating: {
                            average: number | null;
                            count: number;
                        };
                        resources: {
                            description?: string;
                            name: string;
                            uri: string;
                        }[];
                        /** @description Ratings without who gave them; `mine` marks the caller's */
                        reviews: {
                            mine: boolean;
                            rating: number;
                            review: string;
                            updated_at: string;
                        }[];
                        /** @description The service slug: /mcp/{service} once installed */
                        service: string;
                        slug: string;
                        title: string;
                        tools: {
                            description?: string;
                            name: string;
                            title?: string;
                        }[];
                        /** Format: date-time */
                        updated_at?: string;
                        /** @description The live version */
                        version: number;
                        /**
                         * Format: date-time
                         * @description Withdrawn by its provider or an admin: only users who installed it still see it (and use it until they uninstall)
                         */
                        withdrawn_at?: string | null;
                    };
                };
            };
            /** @description Installed */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        categories?: string[];
                        changelog: {
                            approved_at: string | null;
                            changelog: string;
                            version: number;
                        }[];
                        credentials: {
                            description?: string;
                            name: string;
                            required: boolean;
                            secret: boolean;
                            title: string;
                        }[];
                        description?: string;
                        icon_url?: string | null;
                        /** Format: uuid */
                        id: string;
                        /** @description Whether the caller installed it */
                        installed: boolean;
                        installs: number;
                        /** @enum {string} */
                        kind: "http" | "npm" | "builder";
                        links?: {
                            title: string;
                            url: string;
                        }[];
                        /** @description null: free */
                        price: {
                            currency: string;
                            /** @description Decimal, 6 places */
                            per_call: string;
                        } | null;
                        prompts: {
                            description?: string;
                            name: string;
                        }[];
                        provider: {
                            display_name: string;
                        };
                        rating: {
                            average: number | null;
                            count: number;
                        };
                        resources: {
                            description?: string;
                            name: string;
                            uri: string;
                        }[];
                        /** @description Ratings without who gave them; `mine` marks the caller's */
                        reviews: {
                            mine: boolean;
                            rating: number;
                            review: string;
                            updated_at: string;
                        }[];
                        /** @description The service slug: /mcp/{service} once installed */
                        service: string;
                        slug: string;
                        title: string;
                        tools: {
                            description?: string;
                            name: string;
                            title?: string;
                        }[];
                        /** Format: date-time */
                        updated_at?: string;
                        /** @description The live version */
                        version: number;
                        /**
                         * Format: date-time
                         * @description Withdrawn by its provider or an admin: only users who installed it still see it (and use it until they uninstall)
                         */
                        withdrawn_at?: string | null;
                    };
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    marketplaceUninstall: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Listing slug or ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Uninstalled */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    marketplaceRate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Listing slug or ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    rating: number;
                    /** @default  */
                    review?: string;
                };
            };
        };
        responses: {
            /** @description Edited */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        rating: number;
                        review: string;
                    };
                };
            };
            /** @description Saved */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        rating: number;
                        review: string;
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: not installed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    marketplaceProviderStatus: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Your provider record, or { "status": "none" } when you never applied */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        decided_at: string | null;
                        display_name: string;
                        note: string;
                        reason: string | null;
                        /** @enum {string} */
                        status: "pending" | "approved" | "rejected" | "revoked";
                        /** Format: uuid */
                        user_id: string;
                    } | {
                        /** @enum {string} */
                        status: "none";
                    };
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    marketplaceProviderApply: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    display_name: string;
                    /** @default  */
                    note?: string;
                };
            };
        };
        responses: {
            /** @description Application */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        created_at: string;
                        /** Format: date-time */
                        decided_at: string | null;
                        display_name: string;
                        note: string;
                        reason: string | null;
                        /** @enum {string} */
                        status: "pending" | "approved" | "rejected" | "revoked";
                        /** Format: uuid */
                        user_id: string;
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description already_provider or application_pending */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    marketplaceProviderListings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Listings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        listings: {
                            /** Format: date-time */
                            created_at?: string;
                            /** Format: uuid */
                            id: string;
                            /** @enum {string} */
                            kind: "http" | "npm" | "builder";
                            live_version: number | null;
                            slug: string;
                            versions: {
                                categories?: string[];
                                changelog?: string;
                                /** Format: date-time */
                                created_at?: string;
                                /** @description The credential fields this version asks users for (definitions, as submitted; never a value) */
                                credentials?: {
                                    [key: string]: unknown;
                                }[];
                                description?: string;
                                icon_url?: string | null;
                                inspection: {
                                    error?: string;
                                    ok: boolean;
                                    tools: string[];
                                } | null;
                                links?: {
                                    title: string;
                                    url: string;
                                }[];
                                /** @description null: free */
                                price: {
                                    currency: string;
                                    /** @description Decimal, 6 places */
                                    per_call: string;
                                } | null;
                                /** @description The reviewer's reason (always given for a rejection) */
                                reason?: string | null;
                                /** Format: date-time */
                                reviewed_at?: string | null;
                                /** @description { type: "http", url, transport }, { type: "npm", package, version, integrity, bin?, args }, or { type: "builder", service_id, version, openapi } (the builder version's definition, copied at submission) */
                                source: {
                                    [key: string]: unknown;
                                };
                                /** @enum {string} */
                                state: "pending" | "approved" | "rejected" | "superseded";
                                title: string;
                                version: number;
                            }[];
                            /** @description null: on the marketplace. Withdrawn: off browse and search, no new installs, versions or approvals; users who installed it keep it until they uninstall */
                            withdrawn: {
                                /** Format: date-time */
                                at: string;
                                /**
                                 * @description The role the withdrawer acted in (an admin withdrawing a listing of their own through the admin route: admin)
                                 * @enum {string}
                                 */
                                by: "provider" | "admin";
                                reason: string | null;
                            } | null;
                        }[];
                        /** @description Whether npm listings may be submitted here (MARKETPLACE_NPM); false: only http listings */
                        npm_enabled: boolean;
                    };
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: needs the provider role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    marketplaceSubmitListing: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @default [] */
                    categories?: string[];
                    /** @default  */
                    changelog?: string;
                    /** @default [] */
                    credentials?: {
                        description?: string;
                        inject: {
                            env: string;
                        } | {
                            header: string;
                            template?: string;
                        } | {
                            context: string;
                        };
                        max_length?: number;
                        name: string;
                        /** @default true */
                        required?: boolean;
                        /** @default true */
                        secret?: boolean;
                        title: string;
                    }[];
                    /** @default  */
                    description?: string;
                    /** Format: uri */
                    icon_url?: string;
                    /** @default [] */
                    links?: {
                        title: string;
                        /** Format: uri */
                        url: string;
                    }[];
                    /** @default null */
                    price?: {
                        /** @default USD */
                        currency?: string;
                        per_call: string;
                    } | null;
                    slug: string;
                    source: {
                        /**
                         * @default streamable-http
                         * @enum {string}
                         */
                        transport?: "streamable-http" | "sse";
                        /** @constant */
                        type: "http";
                        /** Format: uri */
                        url: string;
                    } | {
                        /** @default [] */
                        args?: string[];
                        bin?: string;
                        integrity: string;
                        package: string;
                        /** @constant */
                        type: "npm";
                        version: string;
                    } | {
                        /** Format: uuid */
                        service_id: string;
                        /** @constant */
                        type: "builder";
                        version: number;
                    };
                    test_credentials?: {
                        [key: string]: string;
                    };
                    title: string;
                };
            };
        };
        responses: {
            /** @description Submitted */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        created_at?: string;
                        /** Format: uuid */
                        id: string;
                        /** @enum {string} */
                        kind: "http" | "npm" | "builder";
                        live_version: number | null;
                        slug: string;
                        versions: {
                            categories?: string[];
                            changelog?: string;
                            /** Format: date-time */
                            created_at?: string;
                            /** @description The credential fields this version asks users for (definitions, as submitted; never a value) */
                            credentials?: {
                                [key: string]: unknown;
                            }[];
                            description?: string;
                            icon_url?: string | null;
                            inspection: {
                                error?: string;
                                ok: boolean;
                                tools: string[];
                            } | null;
                            links?: {
                                title: string;
                                url: string;
                            }[];
                            /** @description null: free */
                            price: {
                                currency: string;
                                /** @description Decimal, 6 places */
                                per_call: string;
                            } | null;
                            /** @description The reviewer's reason (always given for a rejection) */
                            reason?: string | null;
                            /** Format: date-time */
                            reviewed_at?: string | null;
                            /** @description { type: "http", url, transport }, { type: "npm", package, version, integrity, bin?, args }, or { type: "builder", service_id, version, openapi } (the builder version's definition, copied at submission) */
                            source: {
                                [key: string]: unknown;
                            };
                            /** @enum {string} */
                            state: "pending" | "approved" | "rejected" | "superseded";
                            title: string;
                            version: number;
                        }[];
                        /** @description null: on the marketplace. Withdrawn: off browse and search, no new installs, versions or approvals; users who installed it keep it until they uninstall */
                        withdrawn: {
                            /** Format: date-time */
                            at: string;
                            /**
                             * @description The role the withdrawer acted in (an admin withdrawing a listing of their own through the admin route: admin)
                             * @enum {string}
                             */
                            by: "provider" | "admin";
                            reason: string | null;
                        } | null;
                    };
                };
            };
            /** @description validation_failed, or a URL the egress guard refuses (base_url_refused: a builder version's base URL) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: needs the provider role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description slug_taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    marketplaceProviderListing: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Listing ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Listing */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        created_at?: string;
                        /** Format: uuid */
                        id: string;
                        /** @enum {string} */
                        kind: "http" | "npm" | "builder";
                        live_version: number | null;
                        slug: string;
                        versions: {
                            categories?: string[];
                            changelog?: string;
                            /** Format: date-time */
                            created_at?: string;
                            /** @description The credential fields this version asks users for (definitions, as submitted; never a value) */
                            credentials?: {
                                [key: string]: unknown;
                            }[];
                            description?: string;
                            icon_url?: string | null;
                            inspection: {
                                error?: string;
                                ok: boolean;
                                tools: string[];
                            } | null;
                            links?: {
                                title: string;
                                url: string;
                            }[];
                            /** @description null: free */
                            price: {
                                currency: string;
                                /** @description Decimal, 6 places */
                                per_call: string;
                            } | null;
                            /** @description The reviewer's reason (always given for a rejection) */
                            reason?: string | null;
                            /** Format: date-time */
                            reviewed_at?: string | null;
                            /** @description { type: "http", url, transport }, { type: "npm", package, version, integrity, bin?, args }, or { type: "builder", service_id, version, openapi } (the builder version's definition, copied at submission) */
                            source: {
                                [key: string]: unknown;
                            };
                            /** @enum {string} */
                            state: "pending" | "approved" | "rejected" | "superseded";
                            title: string;
                            version: number;
                        }[];
                        /** @description null: on the marketplace. Withdrawn: off browse and search, no new installs, versions or approvals; users who installed it keep it until they uninstall */
                        withdrawn: {
                            /** Format: date-time */
                            at: string;
                            /**
                             * @description The role the withdrawer acted in (an admin withdrawing a listing of their own through the admin route: admin)
                             * @enum {string}
                             */
                            by: "provider" | "admin";
                            reason: string | null;
                        } | null;
                    };
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: needs the provider role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    marketplaceReinstate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Listing ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description Reinstated */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        created_at?: string;
                        /** Format: uuid */
                        id: string;
                        /** @enum {string} */
                        kind: "http" | "npm" | "builder";
                        live_version: number | null;
                        slug: string;
                        versions: {
                            categories?: string[];
                            changelog?: string;
                            /** Format: date-time */
                            created_at?: string;
                            /** @description The credential fields this version asks users for (definitions, as submitted; never a value) */
                            credentials?: {
                                [key: string]: unknown;
                            }[];
                            description?: string;
                            icon_url?: string | null;
                            inspection: {
                                error?: string;
                                ok: boolean;
                                tools: string[];
                            } | null;
                            links?: {
                                title: string;
                                url: string;
                            }[];
                            /** @description null: free */
                            price: {
                                currency: string;
                                /** @description Decimal, 6 places */
                                per_call: string;
                            } | null;
                            /** @description The reviewer's reason (always given for a rejection) */
                            reason?: string | null;
                            /** Format: date-time */
                            reviewed_at?: string | null;
                            /** @description { type: "http", url, transport }, { type: "npm", package, version, integrity, bin?, args }, or { type: "builder", service_id, version, openapi } (the builder version's definition, copied at submission) */
                            source: {
                                [key: string]: unknown;
                            };
                            /** @enum {string} */
                            state: "pending" | "approved" | "rejected" | "superseded";
                            title: string;
                            version: number;
                        }[];
                        /** @description null: on the marketplace. Withdrawn: off browse and search, no new installs, versions or approvals; users who installed it keep it until they uninstall */
                        withdrawn: {
                            /** Format: date-time */
                            at: string;
                            /**
                             * @description The role the withdrawer acted in (an admin withdrawing a listing of their own through the admin route: admin)
                             * @enum {string}
                             */
                            by: "provider" | "admin";
                            reason: string | null;
                        } | null;
                    };
                };
            };
            /** @description validation_failed, or a URL of the live version the egress guard refuses now (bad_request naming source.url, icon_url or links.N.url; base_url_refused) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: needs the provider role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_withdrawn or withdrawn_by_admin (an administrator withdrew it) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    marketplaceProviderStats: {
        parameters: {
            query?: {
                /** @description First day, YYYY-MM-DD (default: 29 days before `to`) */
                from?: string;
                /** @description Last day, YYYY-MM-DD (default: today, UTC) */
                to?: string;
            };
            header?: never;
            path: {
                /** @description Listing ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Figures */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        calls: number;
                        days: {
                            calls: number;
                            day: string;
                            errors: number;
                            revenue: string | null;
                        }[];
                        errors: number;
                        /** @description Users who have it installed now */
                        installs: number;
                        listing_id: string;
                        period: {
                            from: string;
                            to: string;
                        };
                        /** @description null: free */
                        price: {
                            currency: string;
                            /** @description Decimal, 6 places */
                            per_call: string;
                        } | null;
                        /** @description calls × the live price; null: free */
                        revenue: {
                            amount: string;
                            currency: string;
                        } | null;
                        slug: string;
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: needs the provider role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    marketplaceSubmitVersion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Listing ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @default [] */
                    categories?: string[];
                    /** @default  */
                    changelog?: string;
                    /** @default [] */
                    credentials?: {
                        description?: string;
                        inject: {
                            env: string;
                        } | {
                            header: string;
                            template?: string;
                        } | {
                            context: string;
                        };
                        max_length?: number;
                        name: string;
                        /** @default true */
                        required?: boolean;
                        /** @default true */
                        secret?: boolean;
                        title: string;
                    }[];
                    /** @default  */
                    description?: string;
                    /** Format: uri */
                    icon_url?: string;
                    /** @default [] */
                    links?: {
                        title: string;
                        /** Format: uri */
                        url: string;
                    }[];
                    /** @default null */
                    price?: {
                        /** @default USD */
                        currency?: string;
                        per_call: string;
                    } | null;
                    source: {
                        /**
                         * @default streamable-http
                         * @enum {string}
                         */
                        transport?: "streamable-http" | "sse";
                        /** @constant */
                        type: "http";
                        /** Format: uri */
                        url: string;
                    } | {
                        /** @default [] */
                        args?: string[];
                        bin?: string;
                        integrity: string;
                        package: string;
                        /** @constant */
                        type: "npm";
                        version: string;
                    } | {
                        /** Format: uuid */
                        service_id: string;
                        /** @constant */
                        type: "builder";
                        version: number;
                    };
                    test_credentials?: {
                        [key: string]: string;
                    };
                    title: string;
                };
            };
        };
        responses: {
            /** @description Submitted */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        created_at?: string;
                        /** Format: uuid */
                        id: string;
                        /** @enum {string} */
                        kind: "http" | "npm" | "builder";
                        live_version: number | null;
                        slug: string;
                        versions: {
                            categories?: string[];
                            changelog?: string;
                            /** Format: date-time */
                            created_at?: string;
                            /** @description The credential fields this version asks users for (definitions, as submitted; never a value) */
                            credentials?: {
                                [key: string]: unknown;
                            }[];
                            description?: string;
                            icon_url?: string | null;
                            inspection: {
                                error?: string;
                                ok: boolean;
                                tools: string[];
                            } | null;
                            links?: {
                                title: string;
                                url: string;
                            }[];
                            /** @description null: free */
                            price: {
                                currency: string;
                                /** @description Decimal, 6 places */
                                per_call: string;
                            } | null;
                            /** @description The reviewer's reason (always given for a rejection) */
                            reason?: string | null;
                            /** Format: date-time */
                            reviewed_at?: string | null;
                            /** @description { type: "http", url, transport }, { type: "npm", package, version, integrity, bin?, args }, or { type: "builder", service_id, version, openapi } (the builder version's definition, copied at submission) */
                            source: {
                                [key: string]: unknown;
                            };
                            /** @enum {string} */
                            state: "pending" | "approved" | "rejected" | "superseded";
                            title: string;
                            version: number;
                        }[];
                        /** @description null: on the marketplace. Withdrawn: off browse and search, no new installs, versions or approvals; users who installed it keep it until they uninstall */
                        withdrawn: {
                            /** Format: date-time */
                            at: string;
                            /**
                             * @description The role the withdrawer acted in (an admin withdrawing a listing of their own through the admin route: admin)
                             * @enum {string}
                             */
                            by: "provider" | "admin";
                            reason: string | null;
                        } | null;
                    };
                };
            };
            /** @description validation_failed, or a URL the egress guard refuses (base_url_refused: a builder version's base URL) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: needs the provider role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description listing_withdrawn */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    marketplaceWithdraw: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Listing ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason?: string;
                };
            };
        };
        responses: {
            /** @description Withdrawn */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        created_at?: string;
                        /** Format: uuid */
                        id: string;
                        /** @enum {string} */
                        kind: "http" | "npm" | "builder";
                        live_version: number | null;
                        slug: string;
                        versions: {
                            categories?: string[];
                            changelog?: string;
                            /** Format: date-time */
                            created_at?: string;
                            /** @description The credential fields this version asks users for (definitions, as submitted; never a value) */
                            credentials?: {
                                [key: string]: unknown;
                            }[];
                            description?: string;
                            icon_url?: string | null;
                            inspection: {
                                error?: string;
                                ok: boolean;
                                tools: string[];
                            } | null;
                            links?: {
                                title: string;
                                url: string;
                            }[];
                            /** @description null: free */
                            price: {
                                currency: string;
                                /** @description Decimal, 6 places */
                                per_call: string;
                            } | null;
                            /** @description The reviewer's reason (always given for a rejection) */
                            reason?: string | null;
                            /** Format: date-time */
                            reviewed_at?: string | null;
                            /** @description { type: "http", url, transport }, { type: "npm", package, version, integrity, bin?, args }, or { type: "builder", service_id, version, openapi } (the builder version's definition, copied at submission) */
                            source: {
                                [key: string]: unknown;
                            };
                            /** @enum {string} */
                            state: "pending" | "approved" | "rejected" | "superseded";
                            title: string;
                            version: number;
                        }[];
                        /** @description null: on the marketplace. Withdrawn: off browse and search, no new installs, versions or approvals; users who installed it keep it until they uninstall */
                        withdrawn: {
                            /** Format: date-time */
                            at: string;
                            /**
                             * @description The role the withdrawer acted in (an admin withdrawing a listing of their own through the admin route: admin)
                             * @enum {string}
                             */
                            by: "provider" | "admin";
                            reason: string | null;
                        } | null;
                    };
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: needs the provider role */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description listing_withdrawn: withdrawn already */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listOwnSessions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Sessions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        sessions: {
                            created_at: string;
                            current: boolean;
                            expires_at: string;
                            id: string;
                            ip: string | null;
                            refreshed_at: string | null;
                            user_agent: string | null;
                        }[];
                    };
                };
            };
            /** @description unauthorized / invalid_token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Called with an API key or OAuth token */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    revokeOwnSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Session ID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ended */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description unauthorized / invalid_token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Called with an API key or OAuth token */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description not_found (also for another user’s session or one already ended) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getOpenApi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI 3.1 document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description Rate limited */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    providerAnalyticsQuotaPressure: {
        parameters: {
            query?: {
                limit?: number;
                /** @description Least share of the quota used, percent */
                min_percent?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Quota lines */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            email: string | null;
                            limit: number;
                            /** @description used ≥ limit: calls are refused */
                            over: boolean;
                            percent: number;
                            plan: string;
                            /** @description `monthly_calls` or `service_calls:<slug>` */
                            quota: string;
                            used: number;
                            user_id: string;
                        }[];
                        /** Format: date-time */
                        month_start: string;
                    };
                };
            };
            /** @description validation_failed: an unknown parameter, a bad time, from ≥ to, a range too long for the bucket, a limit out of range */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not an approved marketplace provider */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    providerAnalyticsSeries: {
        parameters: {
            query?: {
                bucket?: "hour" | "day";
                /** @description Start (ISO-8601 with offset); rounded down to the bucket (UTC). Default: `to` minus 24 h (hour) or 30 days (day) */
                from?: string;
                /** @description Only this service (slug) */
                service?: string;
                /** @description End, exclusive (ISO-8601 with offset); rounded up to the bucket. Default: now */
                to?: string;
                /** @description Only this tool (as the upstream names it) */
                tool?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The series */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        bucket: "hour" | "day";
                        /** Format: date-time */
                        from: string;
                        /** @description One point per bucket of [from, to), empty buckets as zeros */
                        points: {
                            /** @description Distinct users with a call; day buckets without `tool` only, else null */
                            active_users: number | null;
                            calls: number;
                            error_rate: number;
                            errors: number;
                            /** @description Mean latency (exact), ms */
                            mean_ms: number | null;
                            /** @description Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls */
                            p50_ms: number | null;
                            /** @description Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls */
                            p95_ms: number | null;
                            /** @description Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls */
                            p99_ms: number | null;
                            rate_limited: number;
                            /**
                             * Format: date-time
                             * @description Start of the bucket (UTC)
                             */
                            start: string;
                        }[];
                        service: string | null;
                        /** Format: date-time */
                        to: string;
                        tool: string | null;
                        totals: {
                            /** @description Distinct users with a call; day buckets without `tool` only, else null */
                            active_users: number | null;
                            calls: number;
                            error_rate: number;
                            errors: number;
                            /** @description Mean latency (exact), ms */
                            mean_ms: number | null;
                            /** @description Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls */
                            p50_ms: number | null;
                            /** @description Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls */
                            p95_ms: number | null;
                            /** @description Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls */
                            p99_ms: number | null;
                            rate_limited: number;
                        };
                    };
                };
            };
            /** @description validation_failed: an unknown parameter, a bad time, from ≥ to, a range too long for the bucket, a limit out of range */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not an approved marketplace provider */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    providerAnalyticsTopTools: {
        parameters: {
            query?: {
                /** @description Start (ISO-8601 with offset); rounded down to the bucket (UTC). Default: `to` minus 24 h (hour) or 30 days (day) */
                from?: string;
                limit?: number;
                /** @description Only this service (slug) */
                service?: string;
                /** @description End, exclusive (ISO-8601 with offset); rounded up to the bucket. Default: now */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Tools, most calls first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            calls: number;
                            error_rate: number;
                            errors: number;
                            /** @description Mean latency (exact), ms */
                            mean_ms: number | null;
                            /** @description Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls */
                            p50_ms: number | null;
                            /** @description Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls */
                            p95_ms: number | null;
                            /** @description Milliseconds (middle of a log-scale histogram bucket, within ±9 %); null without calls */
                            p99_ms: number | null;
                            service: string | null;
                            tool: string | null;
                        }[];
                    };
                };
            };
            /** @description validation_failed: an unknown parameter, a bad time, from ≥ to, a range too long for the bucket, a limit out of range */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not an approved marketplace provider */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    providerAnalyticsTopUsers: {
        parameters: {
            query?: {
                /** @description Start (ISO-8601 with offset); rounded down to the bucket (UTC). Default: `to` minus 24 h (hour) or 30 days (day) */
                from?: string;
                limit?: number;
                /** @description Only this service (slug) */
                service?: string;
                /** @description End, exclusive (ISO-8601 with offset); rounded up to the bucket. Default: now */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Users, most calls first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            calls: number;
                            email: string | null;
                            errors: number;
                            /** @description How many services the user called */
                            services: number;
                            /** @description User ID (admins); a pseudonym for providers */
                            user_id: string;
                        }[];
                    };
                };
            };
            /** @description validation_failed: an unknown parameter, a bad time, from ≥ to, a range too long for the bucket, a limit out of range */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not an approved marketplace provider */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    providerAnalyticsUsers: {
        parameters: {
            query?: {
                /** @description Start (ISO-8601 with offset); rounded down to the bucket (UTC). Default: `to` minus 24 h (hour) or 30 days (day) */
                from?: string;
                /** @description Only this service (slug) */
                service?: string;
                /** @description End, exclusive (ISO-8601 with offset); rounded up to the bucket. Default: now */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Active, new and returning users */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        from: string;
                        points: {
                            active: number;
                            /** Format: date */
                            day: string;
                            new: number;
                            returning: number;
                        }[];
                        service: string | null;
                        /** Format: date-time */
                        to: string;
                        /** @description Distinct users over the range; new: first call within it */
                        totals: {
                            active: number;
                            new: number;
                            returning: number;
                        };
                    };
                };
            };
            /** @description validation_failed: an unknown parameter, a bad time, from ≥ to, a range too long for the bucket, a limit out of range */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not an approved marketplace provider */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getPayouts: {
        parameters: {
            query: {
                /** @description json (default) or csv */
                format?: "json" | "csv";
                /** @description YYYY-MM */
                month: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Payout report: per provider, calls and revenue per service and currency */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        period: {
                            /** Format: date-time */
                            end: string;
                            /** Format: date-time */
                            start: string;
                        };
                        providers: {
                            lines: {
                                calls: number;
                                currency: string | null;
                                revenue: string | null;
                                service: string;
                            }[];
                            /** Format: uuid */
                            provider_id: string;
                            totals: {
                                currency: string;
                                revenue: string;
                            }[];
                        }[];
                    };
                    "text/csv": string;
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listServices: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The catalog for the caller */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        services: {
                            /** @description The caller has stored every required credential (always true when none are needed) and, for an OAuth service, has connected it */
                            connected: boolean;
                            credential_schema: {
                                description?: string;
                                max_length: number;
                                name: string;
                                required: boolean;
                                secret: boolean;
                                title: string;
                            }[];
                            credentials_stored: boolean;
                            description: string;
                            /** Format: uuid */
                            id: string;
                            /** @enum {string} */
                            kind: "builtin" | "stdio" | "http" | "openapi";
                            /** @description Present when the service connects by OAuth (GET /v1/services/{id}/oauth/start): whether the caller has connected it */
                            oauth?: {
                                connected: boolean;
                            };
                            slug: string;
                            title: string;
                        }[];
                    };
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The service */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The caller has stored every required credential (always true when none are needed) and, for an OAuth service, has connected it */
                        connected: boolean;
                        credential_schema: {
                            description?: string;
                            max_length: number;
                            name: string;
                            required: boolean;
                            secret: boolean;
                            title: string;
                        }[];
                        credentials_stored: boolean;
                        description: string;
                        /** Format: uuid */
                        id: string;
                        /** @enum {string} */
                        kind: "builtin" | "stdio" | "http" | "openapi";
                        /** @description Present when the service connects by OAuth (GET /v1/services/{id}/oauth/start): whether the caller has connected it */
                        oauth?: {
                            connected: boolean;
                        };
                        slug: string;
                        title: string;
                    };
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such service for the caller */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getServiceCredentials: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Secret fields masked (•••• + last 4 of long values); non-secret fields shown */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        fields: {
                            [key: string]: {
                                /** @description Secret fields: •••• plus at most the last 4 characters of long values */
                                masked?: string;
                                set: boolean;
                                /** @description Non-secret fields only */
                                value?: string;
                            };
                        };
                        service: string;
                        updated_at: string;
                    };
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such service, or nothing stored */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putServiceCredentials: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: string;
                };
            };
        };
        responses: {
            /** @description Replaced; secret fields masked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        fields: {
                            [key: string]: {
                                /** @description Secret fields: •••• plus at most the last 4 characters of long values */
                                masked?: string;
                                set: boolean;
                                /** @description Non-secret fields only */
                                value?: string;
                            };
                        };
                        service: string;
                        updated_at: string;
                    };
                };
            };
            /** @description Stored; secret fields masked */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        fields: {
                            [key: string]: {
                                /** @description Secret fields: •••• plus at most the last 4 characters of long values */
                                masked?: string;
                                set: boolean;
                                /** @description Non-secret fields only */
                                value?: string;
                            };
                        };
                        service: string;
                        updated_at: string;
                    };
                };
            };
            /** @description The body does not fit the credential schema, or the service takes none */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such service for the caller */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteServiceCredentials: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such service, or nothing stored */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    disconnectServiceOAuth: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Disconnected */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such service or connection */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    startServiceOAuth: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Service slug or UUID */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The authorization URL */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        authorization_url: string;
                        expires_in: number;
                    };
                };
            };
            /** @description Not authenticated */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such service, or it does not connect by OAuth */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The provider cannot be reached or its client is not configured */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    serviceOAuthCallback: {
        parameters: {
            query: {
                code?: string;
                state: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Connected: redirect to the portal's services page (`?connected=<slug>`); or, for a browser, refused: redirect to the portal's page that explains why */
            303: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unknown, reused or expired state, or the provider refused (a browser navigation, `Accept: text/html`, is sent instead with 303 to the portal's `/services/oauth-refused?reason=<no_state|unknown_state|expired|service_unavailable|provider_refused|code_refused>[&provider_error=<code>]`, a page that explains it) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getQuota: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Quota */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        calls: {
                            limit: number | null;
                            used: number;
                        };
                        /** @description The calendar month (UTC), [start, end) */
                        period: {
                            /** Format: date-time */
                            end: string;
                            /** Format: date-time */
                            start: string;
                        };
                        /** @description The user's plan; null: none (no quota) */
                        plan: string | null;
                        services: {
                            limit: number | null;
                            service: string;
                            used: number;
                        }[];
                        soft_limit: {
                            percent: number;
                            reached: boolean;
                        } | null;
                    };
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getStatement: {
        parameters: {
            query?: {
                /** @description json (default) or csv */
                format?: "json" | "csv";
                /** @description YYYY-MM (default: this month so far) */
                month?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Statement: a line item per service, totals per currency */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        finalized_at: string | null;
                        /**
                         * Format: uuid
                         * @description The finalised statement's id (null while open)
                         */
                        id: string | null;
                        line_items: {
                            amount: string | null;
                            calls: number;
                            currency: string | null;
                            service: string;
                            /** @description null: the service has no price */
                            unit_price: string | null;
                        }[];
                        period: {
                            /** Format: date-time */
                            end: string;
                            /** Format: date-time */
                            start: string;
                        };
                        /**
                         * @description final: the immutable snapshot made when the month was finalised
                         * @enum {string}
                         */
                        status: "open" | "final";
                        totals: {
                            amount: string;
                            currency: string;
                        }[];
                        /** Format: uuid */
                        user_id: string;
                    };
                    "text/csv": string;
                };
            };
            /** @description validation_failed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
