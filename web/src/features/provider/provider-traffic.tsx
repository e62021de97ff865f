import { Button, Group, Paper, Stack, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { RangeSelect, SeriesCharts, TopToolsTable, useAnalyticsRange, type AnalyticsRangeKey } from '../../components/analytics-charts';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { providerKeys, useProviderSeries, useProviderTopTools, type AnalyticsRange } from './queries';

const RANGE_OPTIONS: AnalyticsRangeKey[] = ['24h', '7d', '30d'];

/**
 * Calls, errors and latency over time and the top tools of the provider's own live listings
 * (`/v1/provider/analytics/*`, docs/analytics.md): drawn like the admin's Analytics page, and
 * without any user's identity.
 */
export function ProviderTraffic() {
  const range = useAnalyticsRange('24h');
  const query: AnalyticsRange = range.window;
  const series = useProviderSeries(query);
  const tools = useProviderTopTools(query);
  const queryClient = useQueryClient();
  // Refreshing moves the window to now, and reloads the listings' figures too.
  const refresh = () => {
    range.refresh();
    void queryClient.invalidateQueries({ queryKey: providerKeys.allStats });
  };
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="traffic-heading" data-testid="provider-traffic">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end">
          <Title order={2} size="h3" id="traffic-heading">
            Traffic of your live listings
          </Title>
          <Group align="flex-end">
            <RangeSelect value={range.range} options={RANGE_OPTIONS} onChange={range.choose} />
            <Button variant="light" onClick={refresh}>
              Refresh
            </Button>
          </Group>
        </Group>
        {series.isPending ? (
          <LoadingState label="Loading the traffic…" />
        ) : series.isError ? (
          <ErrorState title="The traffic could not be loaded" error={series.error} onRetry={() => void series.refetch()} />
        ) : series.data.totals.calls === 0 ? (
          <EmptyState title="No calls yet">Once users call your live listings' tools, the calls, errors and latency appear here, with the most called tools.</EmptyState>
        ) : (
          <>
            <SeriesCharts series={series.data} />
            <Title order={3} size="h4">
              Top tools
            </Title>
            {tools.isPending ? (
              <LoadingState label="Loading the tools…" />
            ) : tools.isError ? (
              <ErrorState title="The top tools could not be loaded" error={tools.error} onRetry={() => void tools.refetch()} />
            ) : (
              <TopToolsTable tools={tools.data.data} />
            )}
          </>
        )}
      </Stack>
    </Paper>
  );
}
