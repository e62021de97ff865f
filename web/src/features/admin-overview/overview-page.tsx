import { Badge, Group, Paper, Progress, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { ms, percent, when } from '../../components/format';
import { REFRESH_MS, usePool, useTraffic, type Pool, type Traffic } from './queries';

const WINDOWS = [
  { value: '60', label: '1 min' },
  { value: '300', label: '5 min' },
  { value: '900', label: '15 min' },
  { value: '3600', label: '1 hour' },
];

export default function OverviewPage() {
  const [windowSeconds, setWindowSeconds] = useState('300');
  const traffic = useTraffic(Number(windowSeconds));
  const pool = usePool();
  return (
    <Page title="Overview" lead={`Live MCP traffic across every replica, the stdio pool and instance health. Refreshes every ${REFRESH_MS / 1000} seconds.`}>
      <Group justify="space-between" wrap="wrap">
        <Title order={2} size="h4">
          Traffic
        </Title>
        <SegmentedControl aria-label="Time window" value={windowSeconds} onChange={setWindowSeconds} data={WINDOWS} size="xs" />
      </Group>
      {traffic.isPending ? (
        <LoadingState label="Loading traffic…" />
      ) : traffic.isError ? (
        <ErrorState title="Could not load the traffic" error={traffic.error} onRetry={() => void traffic.refetch()} />
      ) : (
        <TrafficView traffic={traffic.data} />
      )}
      <Title order={2} size="h4">
        Router
      </Title>
      {pool.isPending ? (
        <LoadingState label="Loading the router's state…" />
      ) : pool.isError ? (
        <ErrorState title="Could not load the router's state" error={pool.error} onRetry={() => void pool.refetch()} />
      ) : (
        <PoolView pool={pool.data} />
      )}
    </Page>
  );
}

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Paper withBorder p="sm">
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={`stat-${label}`}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Paper>
  );
}

function TrafficView({ traffic }: { traffic: Traffic }) {
  const { total } = traffic;
  const peak = Math.max(1, ...traffic.series.map((s) => s.calls));
  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
        <Stat label="Calls/s" value={total.calls_per_second.toFixed(2)} hint={`${total.calls} calls`} />
        <Stat label="Error rate" value={percent(total.error_rate)} hint={`${total.errors} errors`} />
        <Stat label="p50" value={ms(total.p50_latency_ms)} />
        <Stat label="p99" value={ms(total.p99_latency_ms)} />
      </SimpleGrid>
      <Paper withBorder p="sm">
        <Text size="xs" c="dimmed" fw={600} mb={4} id="calls-chart-label">
          Calls per {traffic.bucket_seconds} s (errors in red), {when(traffic.from)} – {when(traffic.to)}
        </Text>
        <div className="bar-chart" role="img" aria-labelledby="calls-chart-label" aria-describedby="calls-chart-summary">
          {traffic.series.map((s) => (
            <div key={s.start} className="bar-chart__bar" title={`${when(s.start)}: ${s.calls} calls, ${s.errors} errors`} style={{ height: `${(s.calls / peak) * 100}%` }}>
              <div className="bar-chart__errors" style={{ height: s.calls ? `${(s.errors / s.calls) * 100}%` : 0 }} />
            </div>
          ))}
        </div>
        <Text size="xs" c="dimmed" id="calls-chart-summary" className="visually-hidden">
          Peak {peak} calls in one interval.
        </Text>
      </Paper>
      {traffic.services.length === 0 ? (
        <EmptyState title="No MCP calls in this window">Calls appear here within seconds of being made; pick a longer window to look further back.</EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table striped aria-label="Traffic per service">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Service</Table.Th>
                <Table.Th>Calls/s</Table.Th>
                <Table.Th>Calls</Table.Th>
                <Table.Th>Error rate</Table.Th>
                <Table.Th>p50</Table.Th>
                <Table.Th>p99</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {traffic.services.map((s) => (
                <Table.Tr key={s.service} data-service={s.service}>
                  <Table.Td>{s.service}</Table.Td>
                  <Table.Td>{s.calls_per_second.toFixed(2)}</Table.Td>
                  <Table.Td>{s.calls}</Table.Td>
                  <Table.Td>
                    <Text size="sm" c={s.error_rate > 0.05 ? 'red' : undefined}>
                      {percent(s.error_rate)}
                    </Text>
                  </Table.Td>
                  <Table.Td>{ms(s.p50_latency_ms)}</Table.Td>
                  <Table.Td>{ms(s.p99_latency_ms)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

const healthColor = { healthy: 'teal', ejected: 'red', 'half-open': 'yellow' } as const;

function PoolView({ pool }: { pool: Pool }) {
  const { stdio } = pool;
  const used = stdio.maxProcesses ? (stdio.processes / stdio.maxProcesses) * 100 : 0;
  const instances = Object.entries(pool.http);
  return (
    <SimpleGrid cols={{ base: 1, md: 3 }} spacing="sm">
      <Paper withBorder p="sm" component="section" aria-labelledby="replicas-heading">
        <Title order={3} size="h5" id="replicas-heading" mb={4}>
          Replicas ({pool.replicas.live.length})
        </Title>
        <Text size="xs" c="dimmed" mb={4}>
          Directory: {pool.replicas.directory}. This answer came from <code>{pool.replica.id}</code>.
        </Text>
        <Stack gap={2}>
          {pool.replicas.live.map((r) => (
            <Text key={r.id} size="sm" component="div">
              <code>{r.id}</code> {r.id === pool.replica.id && <Badge size="xs" variant="light">this one</Badge>}
            </Text>
          ))}
        </Stack>
      </Paper>
      <Paper withBorder p="sm" component="section" aria-labelledby="stdio-heading">
        <Title order={3} size="h5" id="stdio-heading" mb={4}>
          Stdio pool (this replica)
        </Title>
        <Text size="sm" data-testid="stdio-processes">
          {stdio.processes} of {stdio.maxProcesses} processes, at most {stdio.maxPerUser} per user
        </Text>
        <Progress value={used} color={used > 90 ? 'red' : used > 70 ? 'yellow' : 'teal'} mt={6} aria-label="Stdio processes against the cap" />
        <Text size="xs" c="dimmed" mt={6}>
          Started {stdio.started}, stopped {stdio.stopped}, crashed {stdio.crashed}, refused when full {stdio.rejectedFull}.
        </Text>
      </Paper>
      <Paper withBorder p="sm" component="section" aria-labelledby="health-heading">
        <Title order={3} size="h5" id="health-heading" mb={4}>
          HTTP instance health
        </Title>
        {instances.length === 0 ? (
          <Text size="sm" c="dimmed">
            No http instance has been used by this replica yet.
          </Text>
        ) : (
          <Stack gap={4}>
            {instances.flatMap(([serviceId, list]) =>
              list.map((i) => (
                <Group key={`${serviceId}-${i.url}`} gap={6} wrap="nowrap">
                  <Badge size="sm" color={healthColor[i.status]} variant="light">
                    {i.status === 'half-open' ? 'half-open (probing)' : i.status === 'ejected' ? 'circuit open' : 'healthy'}
                  </Badge>
                  <Text size="xs" truncate="end" title={i.lastError ?? i.url}>
                    {i.url}
                  </Text>
                </Group>
              )),
            )}
          </Stack>
        )}
      </Paper>
    </SimpleGrid>
  );
}
