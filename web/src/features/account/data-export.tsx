import { Button, Group, Paper, Text, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { saveFile } from '../../components/save-file';
import { ErrorState } from '../../components/states';

/** "Download my data": GET /v1/me/export, the same export as the operator's export-user. */
export function DataExport() {
  const exportData = useMutation({
    mutationFn: async () => unwrap(await api.GET('/v1/me/export')),
    onSuccess: (data) => saveFile(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }), `mcp-platform-export-${new Date().toISOString().slice(0, 10)}.json`),
  });
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="export-heading">
      <Title order={2} size="h4" id="export-heading" mb={4}>
        Your data
      </Title>
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Text size="sm" c="dimmed" maw={560}>
          Download everything the platform holds about you as JSON: profile, sessions, API keys, which services you connected, notes, your request log and the
          audit events about you. Secrets are never in it: no password, key or token, and your stored credentials only by service and date.
        </Text>
        <Button variant="light" loading={exportData.isPending} onClick={() => exportData.mutate()}>
          Download my data
        </Button>
      </Group>
      {exportData.isSuccess && (
        <Text size="sm" mt="xs" role="status">
          Downloaded: {exportData.data.request_log.length} request{exportData.data.request_log.length === 1 ? '' : 's'}, {exportData.data.api_keys.length} API key
          {exportData.data.api_keys.length === 1 ? '' : 's'}.
        </Text>
      )}
      {exportData.isError && (
        <div style={{ marginTop: 'var(--mantine-spacing-xs)' }}>
          <ErrorState title="Could not export your data" error={exportData.error} onRetry={() => exportData.mutate()} />
        </div>
      )}
    </Paper>
  );
}
