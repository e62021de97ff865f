import { Alert, Badge, Group, Paper, SimpleGrid, Stack, Switch, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { describeError } from '../../api/errors';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { useAdminServices, useChangeService, type AdminService } from './queries';

const statusColor: Record<string, string> = { healthy: 'teal', ejected: 'red', 'half-open': 'yellow' };

export default function ServicesAdminPage() {
  const services = useAdminServices();
  return (
    <Page title="Services admin" lead="Every registered MCP service: turn it on or off, see who may use it, its tool policy and the health of its instances.">
      {services.isPending ? (
        <LoadingState label="Loading services…" />
      ) : services.isError ? (
        <ErrorState title="Could not load the services" error={services.error} onRetry={() => void services.refetch()} />
      ) : services.data.length === 0 ? (
        <EmptyState title="No services registered">Add services to the catalog file (CATALOG_FILE) or register one with POST /v1/admin/services.</EmptyState>
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
          {services.data.map((s) => (
            <ServiceCard key={s.id} service={s} />
          ))}
        </SimpleGrid>
      )}
    </Page>
  );
}

function ServiceCard({ service: s }: { service: AdminService }) {
  const change = useChangeService();
  const toggle = (enabled: boolean) =>
    change.mutate(
      { id: s.id, change: { enabled } },
      {
        onSuccess: () => notifications.show({ color: 'teal', title: enabled ? 'Service enabled' : 'Service disabled', message: `${s.title} (${s.slug}) is ${enabled ? 'on' : 'off'} for its roles.` }),
        onError: (e) => notifications.show({ color: 'red', title: 'Nothing changed', message: describeError(e) }),
      },
    );
  const policy = [s.tool_policy.allow?.length ? `only ${s.tool_policy.allow.join(', ')}` : '', s.tool_policy.deny?.length ? `never ${s.tool_policy.deny.join(', ')}` : ''].filter(Boolean).join('; ');
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={`svc-${s.slug}`} data-admin-service={s.slug}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <div>
            <Title order={2} size="h4" id={`svc-${s.slug}`}>
              {s.title}
            </Title>
            <Text size="xs" c="dimmed">
              {s.slug} · {s.kind}
            </Text>
          </div>
          <Switch label="Enabled" checked={s.enabled} disabled={change.isPending} onChange={(e) => toggle(e.currentTarget.checked)} aria-label={`Enable ${s.title}`} />
        </Group>
        <Text size="sm">{s.description}</Text>
        {s.problem && (
          <Alert color="red" title="Cannot be used" role="alert">
            {s.problem}
          </Alert>
        )}
        <Text size="sm">
          <strong>Roles:</strong> {s.roles.join(', ')} · <strong>Tools:</strong> {policy || 'all'} · <strong>Payload capture:</strong> {s.payload_capture ? 'on' : 'off'}
        </Text>
        {s.source === 'catalog' && (
          <Text size="xs" c="dimmed">
            Defined in the catalog file: its definition, credentials and catalog instances change there (read-only here); enabled, roles, tool policy and payload capture can be changed by an admin.
          </Text>
        )}
        {s.kind === 'http' && (
          <Stack gap={4}>
            <Text size="sm" fw={600}>
              Instances
            </Text>
            {s.instances.length === 0 ? (
              <Text size="sm" c="dimmed">
                None registered.
              </Text>
            ) : (
              s.instances.map((i) => (
                <Group key={i.id} gap={6} wrap="nowrap">
                  <Badge size="sm" variant="light" color={statusColor[i.status] ?? 'gray'}>
                    {i.status}
                  </Badge>
                  <Text size="xs" truncate="end">
                    {i.url}
                  </Text>
                  {i.source === 'catalog' && (
                    <Text size="xs" c="dimmed">
                      (catalog)
                    </Text>
                  )}
                </Group>
              ))
            )}
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}
