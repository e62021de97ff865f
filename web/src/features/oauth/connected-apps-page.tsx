import { Badge, Button, Code, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { clientLabel, useGrants, useRevokeGrant, type Grant } from './queries';

/** The MCP clients that signed in as you by OAuth, and what each may use; disconnect any. */
export default function ConnectedAppsPage() {
  const grants = useGrants();
  const [revoking, setRevoking] = useState<Grant>();
  return (
    <Page title="Connected apps" lead="MCP clients (Claude, Cursor, VS Code…) you allowed to use the platform as you. Disconnecting one ends its access at once.">
      {grants.isPending ? (
        <LoadingState label="Loading your connected apps…" />
      ) : grants.isError ? (
        <ErrorState title="Could not load your connected apps" error={grants.error} onRetry={() => void grants.refetch()} />
      ) : grants.data.length === 0 ? (
        <EmptyState title="No connected apps">Add the platform's MCP URL to a client; it asks you here to allow it.</EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped aria-label="Your connected apps">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>App</Table.Th>
                <Table.Th>May use</Table.Th>
                <Table.Th>Allowed</Table.Th>
                <Table.Th>
                  <span className="visually-hidden">Actions</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {grants.data.map((g) => (
                <Table.Tr key={g.id} data-grant-id={g.id}>
                  <Table.Td>
                    <Text size="sm">{clientLabel(g)}</Text>
                    <Code fz="xs">{g.client_id}</Code>
                  </Table.Td>
                  <Table.Td>
                    {g.resources.map((r) => (
                      <Badge key={r.resource} variant="light" mr={4}>
                        {new URL(r.resource).pathname}
                      </Badge>
                    ))}
                  </Table.Td>
                  <Table.Td>{new Date(g.created_at).toLocaleString()}</Table.Td>
                  <Table.Td>
                    <Button size="xs" color="red" variant="subtle" onClick={() => setRevoking(g)} aria-label={`Disconnect ${clientLabel(g)}`}>
                      Disconnect
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <DisconnectDialog grant={revoking} onClose={() => setRevoking(undefined)} />
    </Page>
  );
}

function DisconnectDialog({ grant, onClose }: { grant: Grant | undefined; onClose: () => void }) {
  const revoke = useRevokeGrant();
  const label = grant ? clientLabel(grant) : '';
  return (
    <Modal opened={!!grant} onClose={onClose} title={`Disconnect “${label}”?`} centered>
      <Stack>
        <Text size="sm">Its tokens stop working now; it has to ask you again to reconnect.</Text>
        {revoke.isError && <ErrorState title="Could not disconnect" error={revoke.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Keep it
          </Button>
          <Button
            color="red"
            loading={revoke.isPending}
            onClick={() =>
              grant &&
              revoke.mutate(grant.id, {
                onSuccess: () => {
                  notifications.show({ title: 'App disconnected', message: `“${label}” no longer has access.` });
                  onClose();
                },
              })
            }
          >
            Disconnect
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
