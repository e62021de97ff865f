import type { OpenApiAuth } from '../../catalog/index.js';

/**
 * Security schemes → the service's credential fields (each injected as `{ context: name }`) and
 * the `auth` entries that say where each value goes. OAuth 2 and OpenID Connect become a bearer
 * access token the user pastes (until the platform runs the OAuth flow itself).
 */
export interface CredentialFieldDraft {
  name: string;
  title: string;
  description?: string;
  secret: boolean;
  required: boolean;
  inject: { context: string };
}

export interface SecurityMapping {
  credentials: CredentialFieldDraft[];
  auth: OpenApiAuth[];
  /** Schemes that have no mapping, each with why. */
  unsupported: Array<{ scheme: string; reason: string }>;
}

type Scheme = Record<string, unknown>;

function fieldName(key: string, suffix = ''): string {
  const base = key.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^[^a-z]+/, '').replace(/_+$/, '') || 'credential';
  return (base.slice(0, 63 - suffix.length) + suffix).replace(/_+$/, '');
}

/** The schemes the document's operations ask for (or, if none asks, every declared one). */
function usedSchemes(document: Record<string, unknown>, declared: string[]): string[] {
  const used = new Set<string>();
  const collect = (security: unknown) => {
    if (!Array.isArray(security)) return;
    for (const requirement of security) if (requirement && typeof requirement === 'object') for (const k of Object.keys(requirement)) used.add(k);
  };
  collect(document.security);
  for (const item of Object.values((document.paths ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const op of Object.values(item ?? {})) if (op && typeof op === 'object') collect((op as Record<string, unknown>).security);
  }
  const list = declared.filter((k) => used.has(k));
  return list.length ? list : declared;
}

export function mapSecurity(document: Record<string, unknown>): SecurityMapping {
  const components = (document.components ?? {}) as Record<string, unknown>;
  const schemes = (components.securitySchemes ?? {}) as Record<string, Scheme>;
  const mapping: SecurityMapping = { credentials: [], auth: [], unsupported: [] };
  const names = new Set<string>();
  const unique = (name: string) => {
    let n = name;
    for (let i = 2; names.has(n); i++) n = `${name.slice(0, 60)}_${i}`;
    names.add(n);
    return n;
  };
  const keys = usedSchemes(document, Object.keys(schemes));
  const single = keys.length === 1;
  for (const key of keys) {
    const scheme = schemes[key] ?? {};
    const type = String(scheme.type ?? '');
    const about = typeof scheme.description === 'string' ? scheme.description.slice(0, 2000) : undefined;
    const field = (name: string, title: string, secret = true): CredentialFieldDraft => ({
      name,
      title: title.slice(0, 200),
      ...(about ? { description: about } : {}),
      secret,
      required: single,
      inject: { context: name },
    });
    if (type === 'apiKey') {
      const where = String(scheme.in ?? '');
      const headerName = String(scheme.name ?? '');
      if (!['header', 'query', 'cookie'].includes(where) || !headerName) {
        mapping.unsupported.push({ scheme: key, reason: `apiKey in "${where}" with name "${headerName}" cannot be mapped` });
        continue;
      }
      const name = unique(fieldName(key));
      mapping.credentials.push(field(name, `${key}: API key (${where} ${headerName})`));
      mapping.auth.push({ type: 'api_key', in: where as 'header' | 'query' | 'cookie', name: headerName, credential: name });
    } else if (type === 'http' && String(scheme.scheme ?? '').toLowerCase() === 'bearer') {
      const name = unique(fieldName(key, '_token'));
      mapping.credentials.push(field(name, `${key}: bearer token`));
      mapping.auth.push({ type: 'bearer', credential: name });
    } else if (type === 'http' && String(scheme.scheme ?? '').toLowerCase() === 'basic') {
      const username = unique(fieldName(key, '_username'));
      const password = unique(fieldName(key, '_password'));
      mapping.credentials.push(field(username, `${key}: user name`, false), field(password, `${key}: password`));
      mapping.auth.push({ type: 'basic', username, password });
    } else if (type === 'oauth2' || type === 'openIdConnect') {
      const name = unique(fieldName(key, '_access_token'));
      mapping.credentials.push(field(name, `${key}: OAuth access token`));
      mapping.auth.push({ type: 'bearer', credential: name });
    } else {
      mapping.unsupported.push({ scheme: key, reason: `security scheme type "${type}${type === 'http' ? ` ${String(scheme.scheme)}` : ''}" is not supported` });
    }
  }
  return mapping;
}
