import { Badge, Button, Card, Code, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { CredentialForm } from './credential-form';
import { DisconnectDialog } from './disconnect-dialog';
import { OAuthConnection, useConnectedNotice } from './oauth-connection';
import { serviceStatus, useDisconnect, useServices, useStoredCredentials, type Service, type ServiceStatus } from './queries';

const STATUS: Record<ServiceStatus, { label: string; color: string }> = {
  connected: { label: 'Connected', color: 'teal' },
  needs_credentials: { label: 'Needs credentials', color: 'yellow' },
  needs_oauth: { label: 'Not connected', color: 'yellow' },
  ready: { label: 'Ready · no credentials needed', color: 'blue' },
};

export default function ServicesPage() {
  const services = useServices();
  useConnectedNotice(services.data);
  return (
    <Page title="Services" lead="The MCP services you may use. Connect the ones that need your account; the platform stores your credentials encrypted and never shows secrets again.">
      {services.isPending ? (
        <LoadingState label="Loading your services…" />
      ) : services.isError ? (
        <ErrorState title="Could not load your services" error={services.error} onRetry={() => void services.refetch()} />
      ) : services.data.length === 0 ? (
        <EmptyState title="No services yet">
          No service is enabled for your account. Ask the platform operator to enable one (admins manage services under /v1/admin/services).
        </EmptyState>
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

function ServiceCard({ service }: { service: Service }) {
  const status = serviceStatus(service);
  const hasSchema = service.credential_schema.length > 0;
  const stored = useStoredCredentials(service.slug, hasSchema && service.credentials_stored);
  const disconnect = useDisconnect(service.slug);
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const headingId = `service-${service.slug}`;

  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby={headingId} data-service={service.slug}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <div>
            <Title order={2} size="h4" id={headingId}>
              {service.title}
            </Title>
            <Text size="xs" c="dimmed">
              <Code>{service.slug}</Code> · {service.kind}
            </Text>
          </div>
          <Badge color={STATUS[status].color} variant="light" data-testid="service-status">
            {STATUS[status].label}
          </Badge>
        </Group>
        <Text size="sm">{service.description}</Text>
        {service.oauth && <OAuthConnection service={service} connected={service.oauth.connected} />}

        {hasSchema && service.credentials_stored && (
          <>
            {stored.isPending ? (
              <LoadingState label="Loading what you stored…" />
            ) : stored.isError ? (
              <ErrorState title="Could not load your stored credentials" error={stored.error} onRetry={() => void stored.refetch()} />
            ) : stored.data ? (
              <Table aria-label={`Stored credentials for ${service.title}`} withRowBorders={false} verticalSpacing={4}>
                <Table.Tbody>
                  {service.credential_schema.map((f) => {
                    const v = stored.data?.fields[f.name];
                    return (
                      <Table.Tr key={f.name}>
                        <Table.Th scope="row" fw={500} fz="sm">
                          {f.title}
                        </Table.Th>
                        <Table.Td fz="sm" data-testid={`stored-${f.name}`}>
                          {!v?.set ? <Text c="dimmed" size="sm">not set</Text> : f.secret ? <Code>{v.masked}</Code> : <Code>{v.value}</Code>}
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            ) : null}
            <Text size="xs" c="dimmed">
              Saved {stored.data ? new Date(stored.data.updated_at).toLocaleString() : ''}. Secrets are shown masked only.
            </Text>
          </>
        )}

        {hasSchema && !editing && (
          <Group>
            <Button size="sm" onClick={() => setEditing(true)} variant={service.credentials_stored ? 'light' : 'filled'}>
              {service.credentials_stored ? 'Replace credentials' : 'Connect'}
            </Button>
            {service.credentials_stored && (
              <Button size="sm" color="red" variant="subtle" onClick={() => setConfirming(true)}>
                Disconnect
              </Button>
            )}
          </Group>
        )}
        {hasSchema && editing && (
          <CredentialForm
            service={service}
            stored={stored.data}
            onCancel={() => setEditing(false)}
            onDone={() => {
              setEditing(false);
              notifications.show({ color: 'teal', title: `${service.title} connected`, message: 'Your credentials are stored encrypted.' });
            }}
          />
        )}
      </Stack>

      <DisconnectDialog
        service={service}
        opened={confirming}
        onClose={() => setConfirming(false)}
        disconnect={disconnect}
        effect={`Your stored credentials for ${service.title} are deleted. MCP clients lose access to it until you connect again.`}
        doneMessage="Your credentials were deleted."
      />
    </Card>
  );
}
