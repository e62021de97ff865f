import { Alert, Badge, Button, Code, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';
import { describeError } from '../../api/errors';
import { CopyValueButton } from '../../components/copy-field';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { CreateKeyForm } from './create-key-form';
import { useApiKeys, useRevokeApiKey, type ApiKey, type CreatedApiKey } from './queries';

const when = (iso: string | null, none: string) => (iso ? new Date(iso).toLocaleString() : none);

export default function ApiKeysPage() {
  const keys = useApiKeys();
  const [shown, setShown] = useState<CreatedApiKey>();
  const [revoking, setRevoking] = useState<ApiKey>();

  return (
    <Page title="API keys" lead="Personal keys for MCP clients and scripts. A key acts as you, within the services you scope it to; send it as “Authorization: Bearer <key>”.">
      <CreateKeyForm onCreated={setShown} />

      {keys.isPending ? (
        <LoadingState label="Loading your keys…" />
      ) : keys.isError ? (
        <ErrorState title="Could not load your keys" error={keys.error} onRetry={() => void keys.refetch()} />
      ) : keys.data.length === 0 ? (
        <EmptyState title="No API keys yet">Create one above, then paste it into your MCP client (see Connect a client).</EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped highlightOnHover aria-label="Your API keys">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>Services</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>
                  <span className="visually-hidden">Actions</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.data.map((k) => (
                <Table.Tr key={k.id} data-key-id={k.id}>
                  <Table.Td>{k.name}</Table.Td>
                  <Table.Td>
                    <Code>{k.prefix}…</Code>
                  </Table.Td>
                  <Table.Td>{k.services?.length ? k.services.map((s) => <Badge key={s} variant="light" mr={4}>{s}</Badge>) : <Text size="sm" c="dimmed">all</Text>}</Table.Td>
                  <Table.Td>{when(k.expires_at, 'never')}</Table.Td>
                  <Table.Td>{when(k.last_used_at, 'not yet')}</Table.Td>
                  <Table.Td>{when(k.created_at, '')}</Table.Td>
                  <Table.Td>
                    <Button size="xs" color="red" variant="subtle" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                      Revoke
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      <ShownOnce created={shown} onClose={() => setShown(undefined)} />
      <RevokeDialog apiKey={revoking} onClose={() => setRevoking(undefined)} />
    </Page>
  );
}

/** The new key, this once; the server keeps only its hash. */
function ShownOnce({ created, onClose }: { created: CreatedApiKey | undefined; onClose: () => void }) {
  return (
    <Modal opened={!!created} onClose={onClose} title="Your new API key" centered size="lg" closeOnClickOutside={false}>
      {created && (
        <Stack>
          <Alert color="yellow" title="Copy it now">
            This is the only time the key is shown. The platform stores only a hash of it; if you lose it, revoke it and make another.
          </Alert>
          <Group wrap="nowrap" gap="xs" align="center">
            <Code block style={{ flex: 1, wordBreak: 'break-all' }} data-testid="new-api-key">
              {created.key}
            </Code>
            <CopyValueButton value={created.key} label="Copy the API key" />
          </Group>
          <Group justify="space-between">
            <Button component={Link} to="/connect" variant="light" onClick={onClose}>
              Configure a client with it
            </Button>
            <Button onClick={onClose}>I have copied it</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

function RevokeDialog({ apiKey, onClose }: { apiKey: ApiKey | undefined; onClose: () => void }) {
  const revoke = useRevokeApiKey();
  return (
    <Modal opened={!!apiKey} onClose={onClose} title={`Revoke “${apiKey?.name ?? ''}”?`} centered>
      <Stack>
        <Text size="sm">Clients using this key are refused from now on. This cannot be undone.</Text>
        {revoke.isError && <ErrorState title="Could not revoke the key" error={revoke.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Keep it
          </Button>
          <Button
            color="red"
            loading={revoke.isPending}
            onClick={() =>
              apiKey &&
              revoke.mutate(apiKey.id, {
                onSuccess: () => {
                  notifications.show({ title: 'Key revoked', message: `“${apiKey.name}” no longer works.` });
                  onClose();
                },
                onError: (e) => notifications.show({ color: 'red', title: 'Revoke failed', message: describeError(e) }),
              })
            }
          >
            Revoke
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
