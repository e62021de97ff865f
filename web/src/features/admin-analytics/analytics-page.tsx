import { Badge, Button, Code, Group, Paper, SimpleGrid, Stack, Table, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { Suspense, useMemo, useState, type ReactNode } from 'react';
import { countUnit, Figure, RangeSelect, SeriesCharts, TitledChart, TopToolsTable, useAnalyticsRange, type AnalyticsRangeKey } from '../../components/analytics-charts';
import type { ChartSeries } from '../../components/time-series-chart';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { useQuotaPressure, useSeries, useTopTools, useTopUsers, useUsersReport, type RangeQuery, type UsersReport } from './queries';

const RANGE_OPTIONS: AnalyticsRangeKey[] = ['24h', '7d', '30d', '90d'];

/** The admin dashboard's analytics (docs/analytics.md): every figure from the rollups. */
export default function AnalyticsPage() {
  const range = useAnalyticsRange('7d');
  const [serviceText, setServiceText] = useState('');
  const [toolText, setToolText] = useState('');
  const [service] = useDebouncedValue(serviceText.trim(), 400);
  const [tool] = useDebouncedValue(toolText.trim(), 400);
  const { from, to, bucket } = range.window;
  const scope: RangeQuery = { from, to, ...(service ? { service } : {}) };

  return (
    <Page title="Analytics" lead="Tool calls across the platform: volume, errors, latency percentiles and users over time, the top tools and users, and who is near a quota.">
      <Group justify="space-between" align="flex-end">
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <RangeSelect value={range.range} options={RANGE_OPTIONS} onChange={range.choose} />
          <TextInput label="Service" placeholder="All services (slug)" value={serviceText} onChange={(e) => setServiceText(e.currentTarget.value)} />
          <TextInput label="Tool" placeholder="All tools" value={toolText} onChange={(e) => setToolText(e.currentTarget.value)} />
        </SimpleGrid>
        <Button variant="light" onClick={range.refresh}>
          Refresh
        </Button>
      </Group>
      <SeriesSection query={{ ...scope, bucket, ...(tool ? { tool } : {}) }} />
      <UsersSection query={scope} />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <TopToolsSection query={scope} />
        <TopUsersSection query={scope} />
      </SimpleGrid>
      <QuotaSection />
    </Page>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby={id}>
      <Stack gap="sm">
        <Title order={2} size="h4" id={id}>
          {title}
        </Title>
        {children}
      </Stack>
    </Paper>
  );
}

function SeriesSection({ query }: { query: Parameters<typeof useSeries>[0] }) {
  const series = useSeries(query);
  const per = query.bucket ?? 'day';
  return (
    <Section id="series-heading" title={`Calls, errors and latency per ${per}`}>
      {series.isPending ? (
        <LoadingState label="Loading the series…" />
      ) : series.isError ? (
        <ErrorState title="Could not load the series" error={series.error} onRetry={() => void series.refetch()} />
      ) : series.data.totals.calls === 0 ? (
        <EmptyState title="No tool calls in this range">Widen the range or clear the service and tool filters.</EmptyState>
      ) : (
        <SeriesCharts series={series.data} />
      )}
    </Section>
  );
}

function usersChart(r: UsersReport) {
  const x = r.points.map((p) => Date.parse(`${p.day}T00:00:00Z`) / 1000);
  const series: ChartSeries[] = [
    { label: 'new', values: r.points.map((p) => p.new), color: '#2b8a3e' },
    { label: 'returning', values: r.points.map((p) => p.returning), color: '#1c7ed6' },
  ];
  return { x, series, xRange: [Date.parse(r.from) / 1000, Date.parse(r.to) / 1000] as [number, number] };
}

function UsersSection({ query }: { query: RangeQuery }) {
  const report = useUsersReport(query);
  const chart = useMemo(() => (report.data ? usersChart(report.data) : undefined), [report.data]);
  return (
    <Section id="users-heading" title="New and returning users per day">
      {report.isPending ? (
        <LoadingState label="Loading users…" />
      ) : report.isError ? (
        <ErrorState title="Could not load users" error={report.error} onRetry={() => void report.refetch()} />
      ) : report.data.totals.active === 0 || !chart ? (
        <EmptyState title="No active users in this range">A user is active on a day with at least one tool call.</EmptyState>
      ) : (
        <>
          <Group gap="xl" data-testid="users-totals">
            <Figure label="Active users" value={String(report.data.totals.active)} />
            <Figure label="New" value={String(report.data.totals.new)} />
            <Figure label="Returning" value={String(report.data.totals.returning)} />
          </Group>
          <Suspense fallback={<LoadingState label="Loading the chart…" />}>
            <TitledChart xRange={chart.xRange} label="New and returning users per day" x={chart.x} series={chart.series} unit={countUnit} />
          </Suspense>
        </>
      )}
    </Section>
  );
}

function TopToolsSection({ query }: { query: RangeQuery }) {
  const tools = useTopTools(query);
  return (
    <Section id="top-tools-heading" title="Top tools">
      {tools.isPending ? (
        <LoadingState label="Loading tools…" />
      ) : tools.isError ? (
        <ErrorState title="Could not load the top tools" error={tools.error} onRetry={() => void tools.refetch()} />
      ) : tools.data.data.length === 0 ? (
        <EmptyState title="No tool calls in this range">Tools appear here once they are called.</EmptyState>
      ) : (
        <TopToolsTable tools={tools.data.data} />
      )}
    </Section>
  );
}

function TopUsersSection({ query }: { query: RangeQuery }) {
  const users = useTopUsers(query);
  return (
    <Section id="top-users-heading" title="Top users">
      {users.isPending ? (
        <LoadingState label="Loading users…" />
      ) : users.isError ? (
        <ErrorState title="Could not load the top users" error={users.error} onRetry={() => void users.refetch()} />
      ) : users.data.data.length === 0 ? (
        <EmptyState title="No users called a tool in this range">Users appear here once they call a tool.</EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={420}>
          <Table aria-label="Users with the most calls" data-testid="top-users">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">User</Table.Th>
                <Table.Th scope="col">Calls</Table.Th>
                <Table.Th scope="col">Errors</Table.Th>
                <Table.Th scope="col">Services</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data.data.map((u) => (
                <Table.Tr key={u.user_id} data-user-id={u.user_id}>
                  <Table.Td>{u.email ?? <Code>{u.user_id.slice(0, 12)}</Code>}</Table.Td>
                  <Table.Td>{u.calls}</Table.Td>
                  <Table.Td>{u.errors}</Table.Td>
                  <Table.Td>{u.services}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Section>
  );
}

function QuotaSection() {
  const quota = useQuotaPressure();
  return (
    <Section id="quota-heading" title="Quota pressure this month (at 80 % or more)">
      {quota.isPending ? (
        <LoadingState label="Loading quotas…" />
      ) : quota.isError ? (
        <ErrorState title="Could not load quota pressure" error={quota.error} onRetry={() => void quota.refetch()} />
      ) : quota.data.data.length === 0 ? (
        <EmptyState title="No user is near a quota">Users at 80 % of a quota of their plan this month appear here.</EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table aria-label="Users near or over a quota" data-testid="quota-pressure">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">User</Table.Th>
                <Table.Th scope="col">Plan</Table.Th>
                <Table.Th scope="col">Quota</Table.Th>
                <Table.Th scope="col">Used</Table.Th>
                <Table.Th scope="col">State</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {quota.data.data.map((q) => (
                <Table.Tr key={`${q.user_id}/${q.quota}`} data-user-id={q.user_id}>
                  <Table.Td>{q.email ?? <Code>{q.user_id.slice(0, 12)}</Code>}</Table.Td>
                  <Table.Td>{q.plan}</Table.Td>
                  <Table.Td>
                    <Code>{q.quota}</Code>
                  </Table.Td>
                  <Table.Td>
                    {q.used} / {q.limit} ({q.percent} %)
                  </Table.Td>
                  <Table.Td>
                    <Badge color={q.over ? 'red' : 'yellow'} variant="light">
                      {q.over ? 'refused' : 'near'}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Section>
  );
}
