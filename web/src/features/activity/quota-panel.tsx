import { Alert, Group, Paper, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { isPlatformApiError } from '../../api/errors';
import { when } from '../../components/format';
import { ErrorState, LoadingState } from '../../components/states';
import { useOwnQuota, type QuotaView } from './queries';

/** The share of a limit used, 0–100 (null: no limit). */
const share = (used: number, limit: number | null): number | null => (limit === null ? null : limit === 0 ? 100 : Math.min(100, (used / limit) * 100));

function colorOf(pct: number | null, soft: number | undefined): string {
  if (pct === null) return 'blue';
  if (pct >= 100) return 'red';
  if (soft !== undefined && pct >= soft) return 'orange';
  return 'teal';
}

/** Your plan and this month's calls against it (docs/billing.md): the soft limit warns, the hard limit says when it resets. */
export function QuotaPanel() {
  const quota = useOwnQuota();
  if (quota.isPending) return <LoadingState label="Loading your quota" />;
  // Metering off (BILLING_METERING=false): the platform has no quotas, and no panel.
  if (quota.isError && isPlatformApiError(quota.error) && quota.error.status === 404) return null;
  if (quota.isError) return <ErrorState title="Could not load your quota" error={quota.error} onRetry={() => void quota.refetch()} />;
  return <QuotaSummary quota={quota.data} />;
}

function QuotaSummary({ quota }: { quota: QuotaView }) {
  const { used, limit } = quota.calls;
  const pct = share(used, limit);
  const soft = quota.soft_limit?.percent;
  const resets = when(quota.period.end);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="quota-title" data-testid="quota-panel">
      <Stack gap="sm">
        <Group justify="space-between" align="baseline">
          <Title order={2} size="h4" id="quota-title">
            Plan and quota
          </Title>
          <Text size="sm" c="dimmed" data-testid="quota-plan">
            {quota.plan ? `Plan: ${quota.plan}` : 'No plan: no quota'}
          </Text>
        </Group>
        <Text data-testid="quota-calls">
          {limit === null ? `${used.toLocaleString()} calls this month (no monthly limit)` : `${used.toLocaleString()} of ${limit.toLocaleString()} calls this month`}
        </Text>
        {pct !== null && <Progress value={pct} color={colorOf(pct, soft)} size="lg" aria-label="Calls this month against your plan's quota" />}
        <Text size="sm" c="dimmed">
          The month runs until {resets} (UTC calendar month).
        </Text>
        {limit !== null && used >= limit ? (
          <Alert color="red" title="Quota used up" role="alert" data-testid="quota-alert">
            Calls are refused (HTTP 429, JSON-RPC error quota_exceeded) until {resets}.
          </Alert>
        ) : quota.soft_limit?.reached ? (
          <Alert color="orange" title="Approaching your quota" role="status" data-testid="quota-alert">
            You have used {Math.floor(pct ?? 0)}% of this month&apos;s calls; the warning starts at {soft}%. At the limit, calls are refused until {resets}.
          </Alert>
        ) : null}
        {quota.services.length > 0 && (
          <Table striped withTableBorder aria-label="Calls per service this month">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Service</Table.Th>
                <Table.Th>Calls</Table.Th>
                <Table.Th>Service limit</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {quota.services.map((s) => (
                <Table.Tr key={s.service}>
                  <Table.Td>{s.service}</Table.Td>
                  <Table.Td>{s.used.toLocaleString()}</Table.Td>
                  <Table.Td>{s.limit === null ? '—' : s.limit.toLocaleString()}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Paper>
  );
}
