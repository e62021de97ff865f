import { Code, Group, NativeSelect, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { lazy, Suspense, useMemo, useState } from 'react';
import type { paths } from '../api/schema';
import { ms, percent } from './format';
import { LoadingState } from './states';
import type { ChartSeries, TimeSeriesChartProps } from './time-series-chart';

/**
 * The analytics figures drawn the same way for an admin (/admin/analytics, every service) and a
 * provider (/provider, their own listings): the `/v1/admin/analytics/*` and `/v1/provider/analytics/*`
 * answers have one shape (docs/analytics.md).
 */
export type Series = paths['/v1/admin/analytics/series']['get']['responses'][200]['content']['application/json'];
export type TopTool = paths['/v1/admin/analytics/top-tools']['get']['responses'][200]['content']['application/json']['data'][number];

// uPlot loads with the first chart only, as on the Activity page.
const TimeSeriesChart = lazy(() => import('./time-series-chart'));

export const countUnit = (v: number) => String(Math.round(v));

/** The time windows the analytics pages offer: up to 7 days by the hour, longer by the day (the API's limits). */
export const ANALYTICS_RANGES = {
  '24h': { label: 'Last 24 hours', ms: 86_400_000, bucket: 'hour' },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000, bucket: 'hour' },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000, bucket: 'day' },
  '90d': { label: 'Last 90 days', ms: 90 * 86_400_000, bucket: 'day' },
} as const;
export type AnalyticsRangeKey = keyof typeof ANALYTICS_RANGES;

/** The window `key` ending at `now`, as the analytics routes take it. */
export function rangeWindow(key: AnalyticsRangeKey, now: number) {
  const range = ANALYTICS_RANGES[key];
  return { from: new Date(now - range.ms).toISOString(), to: new Date(now).toISOString(), bucket: range.bucket };
}

/** The chosen range and the window it gives; choosing a range or refreshing moves the window's end to now. */
export function useAnalyticsRange(initial: AnalyticsRangeKey) {
  const [state, setState] = useState(() => ({ range: initial, now: Date.now() }));
  return {
    range: state.range,
    window: rangeWindow(state.range, state.now),
    choose: (range: AnalyticsRangeKey) => setState({ range, now: Date.now() }),
    refresh: () => setState((s) => ({ ...s, now: Date.now() })),
  };
}

export function RangeSelect({ value, options, onChange }: { value: AnalyticsRangeKey; options: AnalyticsRangeKey[]; onChange: (key: AnalyticsRangeKey) => void }) {
  return (
    <NativeSelect
      label="Time range"
      value={value}
      onChange={(e) => onChange(e.currentTarget.value as AnalyticsRangeKey)}
      data={options.map((key) => ({ value: key, label: ANALYTICS_RANGES[key].label }))}
    />
  );
}

const latencyUnit = (v: number) => ms(v);

export function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} data-figure={label}>
        {value}
      </Text>
    </Stack>
  );
}

/** One chart, under its visible title if it has one; wrap it (or a group) in `Suspense`: uPlot loads lazily. */
export function TitledChart({ title, ...chart }: TimeSeriesChartProps & { title?: string }) {
  return (
    <div>
      {title && (
        <Text size="sm" fw={600}>
          {title}
        </Text>
      )}
      <TimeSeriesChart {...chart} />
    </div>
  );
}

function seriesCharts(s: Series) {
  const x = s.points.map((p) => Date.parse(p.start) / 1000);
  const calls: ChartSeries[] = [
    { label: 'calls', values: s.points.map((p) => p.calls), color: '#1c7ed6' },
    { label: 'errors', values: s.points.map((p) => p.errors), color: '#e03131', dash: true },
  ];
  const latency: ChartSeries[] = [
    { label: 'p50', values: s.points.map((p) => p.p50_ms), color: '#2b8a3e' },
    { label: 'p95', values: s.points.map((p) => p.p95_ms), color: '#e8590c' },
    { label: 'p99', values: s.points.map((p) => p.p99_ms), color: '#c2255c', dash: true },
  ];
  const active: ChartSeries[] = [{ label: 'active users', values: s.points.map((p) => p.active_users), color: '#7048e8' }];
  return { x, calls, latency, active, xRange: [Date.parse(s.from) / 1000, Date.parse(s.to) / 1000] as [number, number] };
}

/** A series' totals, then calls and errors, latency percentiles and (per day) active users over time. */
export function SeriesCharts({ series }: { series: Series }) {
  const charts = useMemo(() => seriesCharts(series), [series]);
  const per = series.bucket;
  const { totals } = series;
  return (
    <>
      <Group gap="xl" data-testid="analytics-totals">
        <Figure label="Calls" value={String(totals.calls)} />
        <Figure label="Errors" value={`${totals.errors} (${percent(totals.error_rate)})`} />
        <Figure label="p50" value={ms(totals.p50_ms)} />
        <Figure label="p95" value={ms(totals.p95_ms)} />
        <Figure label="p99" value={ms(totals.p99_ms)} />
        {totals.active_users != null && <Figure label="Active users" value={String(totals.active_users)} />}
      </Group>
      <Suspense fallback={<LoadingState label="Loading the chart…" />}>
        <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
          <TitledChart title="Calls and errors (dashed)" xRange={charts.xRange} label={`Calls and errors per ${per}`} x={charts.x} series={charts.calls} unit={countUnit} />
          <TitledChart title="Latency p50, p95 and p99" xRange={charts.xRange} label={`Latency percentiles per ${per}`} x={charts.x} series={charts.latency} unit={latencyUnit} />
          {per === 'day' && totals.active_users != null && (
            <TitledChart title="Active users" xRange={charts.xRange} label="Active users per day" x={charts.x} series={charts.active} unit={countUnit} />
          )}
        </SimpleGrid>
      </Suspense>
    </>
  );
}

/** The most called tools: service, tool, calls, error rate and p95. */
export function TopToolsTable({ tools }: { tools: TopTool[] }) {
  return (
    <Table.ScrollContainer minWidth={420}>
      <Table aria-label="Most called tools" data-testid="top-tools">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Service</Table.Th>
            <Table.Th scope="col">Tool</Table.Th>
            <Table.Th scope="col">Calls</Table.Th>
            <Table.Th scope="col">Error rate</Table.Th>
            <Table.Th scope="col">p95</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tools.map((t) => (
            <Table.Tr key={`${t.service ?? ''}/${t.tool ?? ''}`} data-tool={t.tool ?? ''}>
              <Table.Td>{t.service ?? '—'}</Table.Td>
              <Table.Td>
                <Code>{t.tool ?? '—'}</Code>
              </Table.Td>
              <Table.Td>{t.calls}</Table.Td>
              <Table.Td>{percent(t.error_rate)}</Table.Td>
              <Table.Td>{ms(t.p95_ms)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
