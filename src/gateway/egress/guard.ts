import { promises as dns, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { EgressAllowlist, EgressRefused, normalizeHost, parseAddress, refusalFor, type EgressPolicy } from './addresses.js';
import { boundedFetch, type EgressFetchOptions, type EgressResponse } from './fetch.js';

/** Resolves a host name to every address it has (the default is the system resolver, like undici's). */
export type EgressResolver = (hostname: string) => Promise<LookupAddress[]>;

export interface EgressGuardOptions {
  /** Operator allowlist (`EGRESS_ALLOW`): host names, `*.suffix`, addresses and CIDRs. */
  allow: readonly string[];
  /** Name resolution; a test injects its own to play DNS rebinding. */
  resolve?: EgressResolver;
  /** Longest a name resolution may take before the request is refused (default 5 s). */
  resolveTimeoutMs?: number;
}

export interface EgressGuard {
  /** Refuses (EgressRefused) a URL whose scheme, form or any resolved address the policy forbids. */
  check(url: string | URL, policy: EgressPolicy): Promise<void>;
  /**
   * A `net.connect` lookup that resolves, refuses forbidden addresses and hands the socket exactly
   * the addresses it checked: the connection goes where the check looked (no rebinding in between).
   */
  lookup(policy: EgressPolicy): LookupFunction;
  /** An undici connector with that lookup, which also checks address literals (Node skips lookup for them). */
  connector(policy: EgressPolicy, options?: buildConnector.BuildOptions): buildConnector.connector;
  /** A shared keep-alive undici Agent whose every new connection goes through `connector(policy)`. */
  dispatcher(policy: EgressPolicy): Dispatcher;
  /** One bounded request: each hop checked, redirects followed by hand, body cut at `maxBytes`, whole exchange within `timeoutMs`. */
  fetch(url: string | URL, options: EgressFetchOptions): Promise<EgressResponse>;
  close(): Promise<void>;
}

const systemResolver: EgressResolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** The one SSRF guard for every URL the platform fetches or connects to (docs/gateway.md). */
export function createEgressGuard(options: EgressGuardOptions): EgressGuard {
  const allowlist = new EgressAllowlist(options.allow);
  const resolve = options.resolve ?? systemResolver;
  const resolveTimeoutMs = options.resolveTimeoutMs ?? 5_000;
  const agents = new Map<EgressPolicy, Agent>();

  /** The URL's host, checked by form; `undefined` address means a name still to resolve. */
  const inspect = (input: string | URL): { host: string; literal: ReturnType<typeof parseAddress> } => {
    let url: URL;
    try {
      url = typeof input === 'string' ? new URL(input) : input;
    } catch {
      throw new EgressRefused('not a valid absolute URL', 'url');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EgressRefused(`scheme ${url.protocol} is not http or https`, 'url');
    if (url.username || url.password) throw new EgressRefused('the URL carries user info (user:password@), which hides the real host', 'url');
    if (!url.hostname) throw new EgressRefused('the URL has no host', 'url');
    return { host: url.hostname, literal: parseAddress(url.hostname) };
  };

  const checkAddress = (address: NonNullable<ReturnType<typeof parseAddress>>, policy: EgressPolicy, host: string) => {
    if (allowlist.allowsAddress(address)) return;
    const refusal = refusalFor(address, policy);
    if (refusal) throw new EgressRefused(host === address.toString() ? refusal : `${host} resolves to ${refusal}`);
  };

  /** Every address of `host`, each checked; the host refused if any one is forbidden. */
  const resolveChecked = async (host: string, policy: EgressPolicy): Promise<LookupAddress[]> => {
    const name = normalizeHost(host);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new EgressRefused(`${name} did not resolve within ${resolveTimeoutMs} ms`, 'unresolvable')), resolveTimeoutMs);
    });
    let addresses: LookupAddress[];
    try {
      addresses = await Promise.race([resolve(name), timeout]);
    } catch (err) {
      if (err instanceof EgressRefused) throw err;
      throw new EgressRefused(`${name} does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'unresolvable');
    } finally {
      clearTimeout(timer);
    }
    if (!addresses.length) throw new EgressRefused(`${name} does not resolve`, 'unresolvable');
    if (allowlist.allowsHost(name)) return addresses;
    for (const entry of addresses) {
      const address = parseAddress(entry.address);
      if (!address) throw new EgressRefused(`${name} resolves to ${entry.address}, which is not an address`);
      checkAddress(address, policy, name);
    }
    return addresses;
  };

  const check = async (url: string | URL, policy: EgressPolicy): Promise<void> => {
    const { host, literal } = inspect(url);
    if (literal) checkAddress(literal, policy, literal.toString());
    else await resolveChecked(host, policy);
  };

  const lookup = (policy: EgressPolicy): LookupFunction => (hostname, lookupOptions, callback) => {
    resolveChecked(hostname, policy).then(
      (all) => {
        const family = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : undefined;
        const usable = family ? all.filter((a) => a.family === family) : all;
        if (!usable.length) {
          callback(new EgressRefused(`${hostname} has no IPv${family} address`), '', 0);
          return;
        }
        if (lookupOptions.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, '', 0),
    );
  };

  const connector = (policy: EgressPolicy, connectOptions: buildConnector.BuildOptions = {}): buildConnector.connector => {
    const connect = buildConnector({ ...connectOptions, lookup: lookup(policy) });
    return (target, callback) => {
      // undici hands IPv6 literals without brackets; net.connect never calls lookup for a literal.
      const literal = parseAddress(target.hostname);
      if (literal) {
        try {
          checkAddress(literal, policy, literal.toString());
        } catch (err) {
          callback(err as Error, null);
          return;
        }
      }
      connect(target, callback);
    };
  };

  const dispatcher = (policy: EgressPolicy): Dispatcher => {
    let agent = agents.get(policy);
    if (!agent) {
      agent = new Agent({ keepAliveTimeout: 10_000, connections: 64, connect: connector(policy, { timeout: 10_000 }) });
      agents.set(policy, agent);
    }
    return agent;
  };

  return {
    check,
    lookup,
    connector,
    dispatcher,
    fetch: (url, fetchOptions) => boundedFetch({ check, dispatcher }, url, fetchOptions),
    async close() {
      await Promise.all([...agents.values()].map((a) => a.destroy().catch(() => undefined)));
      agents.clear();
    },
  };
}
