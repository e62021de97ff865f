import client from 'prom-client';

/**
 * The platform's Prometheus metrics (RED set). One registry per platform instance, so tests can
 * run several platforms in one process. Label values are always bounded: route templates (never
 * raw URLs), service slugs from the catalog, JSON-RPC method names, fixed outcome/reason words.
 */
export type CircuitState = 'closed' | 'half_open' | 'open';
const CIRCUIT_VALUE: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 };

export interface DbPoolStats {
  total: number;
  idle: number;
  waiting: number;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** JSON-RPC methods we label by name; anything else becomes "other" so a client cannot mint labels. */
const KNOWN_MCP_METHODS = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'resources/subscribe',
  'resources/unsubscribe',
  'completion/complete',
  'logging/setLevel',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
  'sampling/createMessage',
  'elicitation/create',
  'roots/list',
]);

export function boundedMcpMethod(method: string): string {
  return KNOWN_MCP_METHODS.has(method) ? method : 'other';
}

export class PlatformMetrics {
  readonly registry = new client.Registry();

  readonly httpRequests = new client.Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method and route template',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly mcpRequests = new client.Counter({
    name: 'mcp_requests_total',
    help: 'MCP JSON-RPC requests by service, method and outcome (ok, error, rate_limited)',
    labelNames: ['service', 'method', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly mcpToolCalls = new client.Counter({
    name: 'mcp_tool_calls_total',
    help: 'tools/call requests by service, tool and outcome; only tools the catalog bounds (named in the service allow list)',
    labelNames: ['service', 'tool', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly mcpDuration = new client.Histogram({
    name: 'mcp_request_duration_seconds',
    help: 'MCP request latency (total) by service and method',
    labelNames: ['service', 'method'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly mcpUpstreamDuration = new client.Histogram({
    name: 'mcp_upstream_duration_seconds',
    help: 'Latency of the upstream MCP server by service',
    labelNames: ['service'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly upstreamUp = new client.Gauge({
    name: 'mcp_upstream_instance_up',
    help: '1 when the upstream instance passes health checks, 0 otherwise',
    labelNames: ['service', 'instance'] as const,
    registers: [this.registry],
  });
  readonly upstreamCircuit = new client.Gauge({
    name: 'mcp_upstream_circuit_state',
    help: 'Circuit breaker state per upstream instance: 0 closed, 1 half-open, 2 open',
    labelNames: ['service', 'instance'] as const,
    registers: [this.registry],
  });
  readonly stdioPoolSize = new client.Gauge({
    name: 'mcp_stdio_pool_size',
    help: 'Live stdio child processes per service',
    labelNames: ['service'] as const,
    registers: [this.registry],
  });
  readonly stdioCrashes = new client.Counter({
    name: 'mcp_stdio_child_crashes_total',
    help: 'stdio children that exited unexpectedly, per service',
    labelNames: ['service'] as const,
    registers: [this.registry],
  });
  readonly rateLimitRejections = new client.Counter({
    name: 'rate_limit_rejections_total',
    help: 'Requests refused by the rate limiter, by scope (ip, user, user_service, ...)',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });
  readonly authFailures = new client.Counter({
    name: 'auth_failures_total',
    help: 'Authentication failures by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly usageEventsDropped = new client.Counter({
    name: 'billing_usage_events_dropped_total',
    help: 'Usage events the database refused for good (a poison row split out of its batch and dropped; logged)',
    registers: [this.registry],
  });
  readonly webhookDeliveries = new client.Counter({
    name: 'billing_webhook_deliveries_total',
    help: 'Billing webhook delivery attempts by outcome (delivered, failed, dead)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  /** Where `log_queue_depth` is read at scrape time (the request log's queue), instead of a gauge update per queued row. */
  private logQueueDepthSource: (() => number) | undefined;
  readonly logQueueDepth = new client.Gauge({
    name: 'log_queue_depth',
    help: 'Request-log records waiting to be written',
    registers: [this.registry],
    collect: ((metrics: PlatformMetrics) =>
      function (this: client.Gauge) {
        const depth = metrics.logQueueDepthSource?.();
        if (depth !== undefined) this.set(depth);
      })(this),
  });
  /** Where `mcp_upstream_clients` is read at scrape time (the http balancer's kept SDK clients). */
  private upstreamClientsSource: (() => { session: number; idle: number }) | undefined;
  readonly upstreamClients = new client.Gauge({
    name: 'mcp_upstream_clients',
    help: 'Connected http upstream clients kept between calls: kind=session, one upstream session per downstream session (or per user and credentials for stateless callers); kind=idle, pooled clients of upstreams without sessions',
    labelNames: ['kind'] as const,
    registers: [this.registry],
    collect: ((metrics: PlatformMetrics) =>
      function (this: client.Gauge<'kind'>) {
        const counts = metrics.upstreamClientsSource?.();
        if (!counts) return;
        this.set({ kind: 'session' }, counts.session);
        this.set({ kind: 'idle' }, counts.idle);
      })(this),
  });
  readonly logFlushDuration = new client.Histogram({
    name: 'log_flush_duration_seconds',
    help: 'Time to write one batch of request-log records',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly logRecordsWritten = new client.Counter({
    name: 'log_records_written_total',
    help: 'Request-log records written to the database',
    registers: [this.registry],
  });
  readonly logRecordsDropped = new client.Counter({
    name: 'log_records_dropped_total',
    help: 'Request-log records lost because the queue was full',
    registers: [this.registry],
  });
  readonly logFlushFailures = new client.Counter({
    name: 'log_flush_failures_total',
    help: 'Failed request-log batch writes (each is retried with backoff)',
    registers: [this.registry],
  });
  readonly errorsTracked = new client.Counter({
    name: 'platform_errors_total',
    help: 'Unexpected errors recorded by the error tracker, by source',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly auditAppendFailures = new client.Counter({
    name: 'audit_append_failures_total',
    help: 'Audit events that could not be appended to the chain',
    registers: [this.registry],
  });

  constructor(opts: { dbPool?: () => DbPoolStats | undefined; defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) client.collectDefaultMetrics({ register: this.registry });
    const poolStats = opts.dbPool;
    if (poolStats) {
      const gauge = (name: string, help: string, pick: (s: DbPoolStats) => number) =>
        new client.Gauge({
          name,
          help,
          registers: [this.registry],
          collect() {
            const s = poolStats();
            if (s) this.set(pick(s));
          },
        });
      gauge('db_pool_connections_total', 'Open database connections', (s) => s.total);
      gauge('db_pool_connections_idle', 'Idle database connections', (s) => s.idle);
      gauge('db_pool_requests_waiting', 'Queries waiting for a database connection', (s) => s.waiting);
    }
  }

  // ---- setters other components call (they never touch prom-client directly) ----

  /** `log_queue_depth` reads `depth()` whenever it is scraped. */
  readLogQueueDepth(depth: () => number): void {
    this.logQueueDepthSource = depth;
  }

  /** `mcp_upstream_clients` reads `counts()` whenever it is scraped. */
  readUpstreamClients(counts: () => { session: number; idle: number }): void {
    this.upstreamClientsSource = counts;
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
    this.httpDuration.observe({ method, route, status_class: `${Math.floor(status / 100)}xx` }, seconds);
  }

  observeMcp(service: string, method: string, outcome: 'ok' | 'error' | 'rate_limited', seconds: number, upstreamSeconds?: number): void {
    const m = boundedMcpMethod(method);
    this.mcpRequests.inc({ service, method: m, outcome });
    this.mcpDuration.observe({ service, method: m }, seconds);
    if (upstreamSeconds !== undefined) this.mcpUpstreamDuration.observe({ service }, upstreamSeconds);
  }

  /** Per-tool count; call it only with a tool name the catalog bounds (an allow-list entry), never a client's free text. */
  observeMcpTool(service: string, tool: string, outcome: 'ok' | 'error' | 'rate_limited'): void {
    this.mcpToolCalls.inc({ service, tool, outcome });
  }

  setUpstreamHealth(service: string, instance: string, up: boolean): void {
    this.upstreamUp.set({ service, instance }, up ? 1 : 0);
  }

  setCircuitState(service: string, instance: string, state: CircuitState): void {
    this.upstreamCircuit.set({ service, instance }, CIRCUIT_VALUE[state]);
  }

  /** Forget an instance that was deregistered, so its series stop. */
  removeUpstreamInstance(service: string, instance: string): void {
    this.upstreamUp.remove({ service, instance });
    this.upstreamCircuit.remove({ service, instance });
  }

  setStdioPoolSize(service: string, size: number): void {
    this.stdioPoolSize.set({ service }, size);
  }

  stdioChildCrashed(service: string): void {
    this.stdioCrashes.inc({ service });
  }

  rateLimited(scope: string): void {
    this.rateLimitRejections.inc({ scope });
  }

  authFailed(reason: string): void {
    this.authFailures.inc({ reason });
  }

  usageEventDropped(): void {
    this.usageEventsDropped.inc();
  }

  webhookDelivery(outcome: 'delivered' | 'failed' | 'dead'): void {
    this.webhookDeliveries.inc({ outcome });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
