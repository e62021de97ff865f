import { Badge, Code, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Page } from '../../components/page';
import { RevocableTable } from '../../components/revocable-table';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { clientLabel, useGrants, useRevokeGrant } from './queries';

/** The MCP clients that signed in as you by OAuth, and what each may use; disconnect any. */
export default function ConnectedAppsPage() {
  const grants = useGrants();
  const revoke = useRevokeGrant();
  return (
    <Page title="Connected apps" lead="MCP clients (Claude, Cursor, VS Code…) you allowed to use the platform as you. Disconnecting one ends its access at once.">
      {grants.isPending ? (
        <LoadingState label="Loading your connected apps…" />
      ) : grants.isError ? (
        <ErrorState title="Could not load your connected apps" error={grants.error} onRetry={() => void grants.refetch()} />
      ) : grants.data.length === 0 ? (
        <EmptyState title="No connected apps">Add the platform's MCP URL to a client; it asks you here to allow it.</EmptyState>
      ) : (
        <RevocableTable
          label="Your connected apps"
          rows={grants.data}
          rowKey={(g) => g.id}
          rowProps={(g) => ({ 'data-grant-id': g.id })}
          columns={[
            {
              header: 'App',
              cell: (g) => (
                <>
                  <Text size="sm">{clientLabel(g)}</Text>
                  <Code fz="xs">{g.client_id}</Code>
                </>
              ),
            },
            {
              header: 'May use',
              cell: (g) =>
                g.resources.map((r) => (
                  <Badge key={r.resource} variant="light" mr={4}>
                    {new URL(r.resource).pathname}
                  </Badge>
                )),
            },
            { header: 'Allowed', cell: (g) => new Date(g.created_at).toLocaleString() },
          ]}
          action={{ label: 'Disconnect', ariaLabel: (g) => `Disconnect ${clientLabel(g)}` }}
          confirm={{
            title: (g) => `Disconnect “${clientLabel(g)}”?`,
            body: 'Its tokens stop working now; it has to ask you again to reconnect.',
            confirmLabel: 'Disconnect',
            cancelLabel: 'Keep it',
            errorTitle: 'Could not disconnect',
            pending: revoke.isPending,
            error: revoke.error,
            onConfirm: (grant, close) =>
              revoke.mutate(grant.id, {
                onSuccess: () => {
                  notifications.show({ title: 'App disconnected', message: `“${clientLabel(grant)}” no longer has access.` });
                  close();
                },
              }),
          }}
        />
      )}
    </Page>
  );
}
