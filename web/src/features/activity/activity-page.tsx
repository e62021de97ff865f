import { Badge, Button, Code, Group, NativeSelect, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { lazy, Suspense, useMemo, useState } from 'react';
import type { ChartSeries } from '../../components/time-series-chart';
import { ms, percent, when } from '../../components/format';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { useServices } from '../services/queries';
import { useOwnLogs, useOwnUsage, type LogQuery, type UsageRow } from './queries';
import { QuotaPanel } from './quota-panel';

// uPlot loads with the first chart only, never with the landing page.
const TimeSeriesChart = lazy(() => import('../../components/time-series-chart'));

const RANGES = {
  '1h': { label: 'Last hour', ms: 3_600_000, period: 'hour' },
  '24h': { label: 'Last 24 hours', ms: 86_400_000, period: 'hour' },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000, period: 'hour' },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000, period: 'day' },
} as const;
type RangeKey = keyof typeof RANGES;

const PALETTE = ['#1c7ed6', '#0c8599', '#7048e8', '#e8590c', '#2b8a3e', '#c2255c', '#5c940d', '#862e9c'];
const PAGE_SIZE = 25;

export default function ActivityPage() {
  const [range, setRange] = useState<RangeKey>('24h');
  // The window is fixed when chosen (and on Refresh), so the queries' keys stay stable between renders.
  const [now, setNow] = useState(() => Date.now());
  const from = new Date(now - RANGES[range].ms).toISOString();
  const to = new Date(now + 60_000).toISOString();
  const refresh = () => setNow(Date.now());

  return (
    <Page title="Activity" lead="Your plan's quota, and your own MCP and API requests: calls, errors and latency per service over time, and the request log.">
      <QuotaPanel />
      <Group justify="space-between" align="flex-end">
        <NativeSelect
          label="Time range"
          value={range}
          onChange={(e) => {
            setRange(e.currentTarget.value as RangeKey);
            refresh();
          }}
          data={Object.entries(RANGES).map(([value, r]) => ({ value, label: r.label }))}
        />
        <Button variant="light" onClick={refresh}>
          Refresh
        </Button>
      </Group>
      <UsageCharts from={from} to={to} period={RANGES[range].period} />
      <RequestLog from={from} to={to} />
    </Page>
  );
}

interface Bucketed {
  x: number[];
  services: string[];
  calls: ChartSeries[];
  latency: ChartSeries[];
  totals: Array<{ service: string; calls: number; errors: number; worstP95: number | null }>;
}

/** The usage rows as aligned series: one x per period that has requests, one line per service. */
function bucket(rows: UsageRow[]): Bucketed {
  const times = [...new Set(rows.map((r) => r.period_start))].sort();
  const x = times.map((t) => Date.parse(t) / 1000);
  const index = new Map(times.map((t, i) => [t, i]));
  const services = [...new Set(rows.map((r) => r.service ?? '(none)'))].sort();
  const blank = () => times.map((): number | null => null);
  const calls: ChartSeries[] = [];
  const latency: ChartSeries[] = [];
  const errors = blank();
  services.forEach((service, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const c = blank();
    const p50 = blank();
    const p95 = blank();
    for (const r of rows.filter((row) => (row.service ?? '(none)') === service)) {
      const at = index.get(r.period_start)!;
      c[at] = r.calls;
      errors[at] = (errors[at] ?? 0) + r.errors;
      p50[at] = r.p50_latency_ms;
      p95[at] = r.p95_latency_ms;
    }
    calls.push({ label: `${service} calls`, values: c, color });
    latency.push({ label: `${service} p50`, values: p50, color }, { label: `${service} p95`, values: p95, color, dash: true });
  });
  calls.push({ label: 'errors (all services)', values: errors, color: '#e03131', dash: true });
  const totals = services.map((service) => {
    const mine = rows.filter((r) => (r.service ?? '(none)') === service);
    const p95s = mine.map((r) => r.p95_latency_ms).filter((v): v is number => v !== null);
    return {
      service,
      calls: mine.reduce((n, r) => n + r.calls, 0),
      errors: mine.reduce((n, r) => n + r.errors, 0),
      worstP95: p95s.length ? Math.max(...p95s) : null,
    };
  });
  return { x, services, calls, latency, totals };
}

const count = (v: number) => String(Math.round(v));
const latencyUnit = (v: number) => ms(v);

function UsageCharts({ from, to, period }: { from: string; to: string; period: 'hour' | 'day' }) {
  const usage = useOwnUsage({ from, to, period, kind: 'mcp' });
  const data = useMemo(() => (usage.data ? bucket(usage.data.data) : undefined), [usage.data]);
  const xRange = useMemo((): [number, number] => [Date.parse(from) / 1000, Date.parse(to) / 1000], [from, to]);
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="usage-heading">
      <Stack gap="sm">
        <Title order={2} size="h4" id="usage-heading">
          MCP usage per {period}
        </Title>
        {usage.isPending ? (
          <LoadingState label="Loading your usage…" />
        ) : usage.isError ? (
          <ErrorState title="Could not load your usage" error={usage.error} onRetry={() => void usage.refetch()} />
        ) : !data || data.x.length === 0 ? (
          <EmptyState title="No MCP calls in this range">Call a tool (from the Playground or your MCP client) and it is counted here.</EmptyState>
        ) : (
          <>
            <Suspense fallback={<LoadingState label="Loading the chart…" />}>
              <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
                <div>
                  <Text size="sm" fw={600}>
                    Calls and errors
                  </Text>
                  <TimeSeriesChart xRange={xRange} label={`Calls per ${period} for ${data.services.join(', ')}, and errors`} x={data.x} series={data.calls} unit={count} />
                </div>
                <div>
                  <Text size="sm" fw={600}>
                    Latency p50 (solid) and p95 (dashed)
                  </Text>
                  <TimeSeriesChart xRange={xRange} label={`Latency p50 and p95 per ${period} for ${data.services.join(', ')}`} x={data.x} series={data.latency} unit={latencyUnit} />
                </div>
              </SimpleGrid>
            </Suspense>
            <Table.ScrollContainer minWidth={420}>
              <Table aria-label="Usage per service in this range" data-testid="usage-totals">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Service</Table.Th>
                    <Table.Th scope="col">Calls</Table.Th>
                    <Table.Th scope="col">Errors</Table.Th>
                    <Table.Th scope="col">Error rate</Table.Th>
                    <Table.Th scope="col">Worst p95 of a {period}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.totals.map((t) => (
                    <Table.Tr key={t.service} data-service={t.service}>
                      <Table.Td>
                        <Code>{t.service}</Code>
                      </Table.Td>
                      <Table.Td>{t.calls}</Table.Td>
                      <Table.Td>{t.errors}</Table.Td>
                      <Table.Td>{percent(t.calls ? t.errors / t.calls : 0)}</Table.Td>
                      <Table.Td>{ms(t.worstP95)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </>
        )}
      </Stack>
    </Paper>
  );
}

function RequestLog({ from, to }: { from: string; to: string }) {
  const services = useServices();
  const [service, setService] = useState('');
  const [status, setStatus] = useState('');
  const [kind, setKind] = useState('');
  const [toolText, setToolText] = useState('');
  const [tool] = useDebouncedValue(toolText.trim(), 400);
  // Cursors of the pages before this one: "Newer" goes back, "Older" forward.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const query: LogQuery = {
    from,
    to,
    limit: PAGE_SIZE,
    ...(service ? { service } : {}),
    ...(status === 'ok' || status === 'error' ? { status } : {}),
    ...(kind === 'mcp' || kind === 'rest' ? { kind } : {}),
    ...(tool ? { tool } : {}),
    ...(cursor ? { cursor } : {}),
  };
  const logs = useOwnLogs(query);
  const filter = (apply: () => void) => {
    apply();
    setCursors([]);
  };

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="log-heading">
      <Stack gap="sm">
        <Title order={2} size="h4" id="log-heading">
          Request log
        </Title>
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
          <NativeSelect
            label="Service"
            value={service}
            onChange={(e) => {
              const v = e.currentTarget.value;
              filter(() => setService(v));
            }}
            data={[{ value: '', label: 'All services' }, ...(services.data ?? []).map((s) => ({ value: s.slug, label: s.title }))]}
          />
          <TextInput label="Tool" placeholder="Exact tool name" value={toolText} onChange={(e) => {
            const v = e.currentTarget.value;
            filter(() => setToolText(v));
          }} />
          <NativeSelect
            label="Outcome"
            value={status}
            onChange={(e) => {
              const v = e.currentTarget.value;
              filter(() => setStatus(v));
            }}
            data={[{ value: '', label: 'All' }, { value: 'ok', label: 'Succeeded' }, { value: 'error', label: 'Failed' }]}
          />
          <NativeSelect
            label="Kind"
            value={kind}
            onChange={(e) => {
              const v = e.currentTarget.value;
              filter(() => setKind(v));
            }}
            data={[{ value: '', label: 'MCP and REST' }, { value: 'mcp', label: 'MCP calls' }, { value: 'rest', label: 'REST API' }]}
          />
        </SimpleGrid>
        {logs.isPending ? (
          <LoadingState label="Loading your requests…" />
        ) : logs.isError ? (
          <ErrorState title="Could not load your request log" error={logs.error} onRetry={() => void logs.refetch()} />
        ) : logs.data.data.length === 0 ? (
          <EmptyState title="No requests match">{cursors.length ? 'No older requests.' : 'Nothing in this range with these filters. Widen the range or clear a filter.'}</EmptyState>
        ) : (
          <Table.ScrollContainer minWidth={760}>
            <Table aria-label="Your requests, newest first" data-testid="request-log" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Time</Table.Th>
                  <Table.Th scope="col">Kind</Table.Th>
                  <Table.Th scope="col">Service</Table.Th>
                  <Table.Th scope="col">Tool or route</Table.Th>
                  <Table.Th scope="col">Outcome</Table.Th>
                  <Table.Th scope="col">Latency</Table.Th>
                  <Table.Th scope="col">Request ID</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {logs.data.data.map((r) => (
                  <Table.Tr key={r.id} data-request-id={r.request_id}>
                    <Table.Td>{when(r.time)}</Table.Td>
                    <Table.Td>{r.kind}</Table.Td>
                    <Table.Td>{r.service ?? '—'}</Table.Td>
                    <Table.Td>
                      <Code>{r.kind === 'mcp' ? (r.target ?? r.method) : `${r.method} ${r.route ?? ''}`}</Code>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={r.status === 'ok' ? 'teal' : 'red'} variant="light">
                        {r.status === 'ok' ? 'ok' : `error${r.rpc_error_code != null ? ` ${r.rpc_error_code}` : r.http_status ? ` ${r.http_status}` : ''}`}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{ms(r.latency_ms)}</Table.Td>
                    <Table.Td>
                      <Code>{r.request_id.slice(0, 12)}</Code>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <Group justify="space-between">
          <Text size="sm" c="dimmed" aria-live="polite">
            Page {cursors.length + 1}
            {logs.isFetching && !logs.isPending ? ' · loading…' : ''}
          </Text>
          <Group gap="xs">
            <Button variant="default" size="xs" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
              Newer
            </Button>
            <Button
              variant="default"
              size="xs"
              disabled={!logs.data?.next_cursor}
              onClick={() => {
                const next = logs.data?.next_cursor;
                if (next) setCursors((c) => [...c, next]);
              }}
            >
              Older
            </Button>
          </Group>
        </Group>
      </Stack>
    </Paper>
  );
}
