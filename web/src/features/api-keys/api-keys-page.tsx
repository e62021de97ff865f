import { Alert, Badge, Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';
import { describeError } from '../../api/errors';
import { CopyValueButton } from '../../components/copy-field';
import { Page } from '../../components/page';
import { RevocableTable } from '../../components/revocable-table';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { CreateKeyForm } from './create-key-form';
import { useApiKeys, useRevokeApiKey, type CreatedApiKey } from './queries';

const when = (iso: string | null, none: string) => (iso ? new Date(iso).toLocaleString() : none);

export default function ApiKeysPage() {
  const keys = useApiKeys();
  const [shown, setShown] = useState<CreatedApiKey>();
  const revoke = useRevokeApiKey();

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
        <RevocableTable
          label="Your API keys"
          rows={keys.data}
          rowKey={(k) => k.id}
          rowProps={(k) => ({ 'data-key-id': k.id })}
          highlightOnHover
          columns={[
            { header: 'Name', cell: (k) => k.name },
            { header: 'Key', cell: (k) => <Code>{k.prefix}…</Code> },
            {
              header: 'Services',
              cell: (k) =>
                k.services?.length ? (
                  k.services.map((s) => (
                    <Badge key={s} variant="light" mr={4}>
                      {s}
                    </Badge>
                  ))
                ) : (
                  <Text size="sm" c="dimmed">
                    all
                  </Text>
                ),
            },
            { header: 'Expires', cell: (k) => when(k.expires_at, 'never') },
            { header: 'Last used', cell: (k) => when(k.last_used_at, 'not yet') },
            { header: 'Created', cell: (k) => when(k.created_at, '') },
          ]}
          action={{ label: 'Revoke', ariaLabel: (k) => `Revoke ${k.name}` }}
          confirm={{
            title: (k) => `Revoke “${k.name}”?`,
            body: 'Clients using this key are refused from now on. This cannot be undone.',
            confirmLabel: 'Revoke',
            cancelLabel: 'Keep it',
            errorTitle: 'Could not revoke the key',
            pending: revoke.isPending,
            error: revoke.error,
            onConfirm: (apiKey, close) =>
              revoke.mutate(apiKey.id, {
                onSuccess: () => {
                  notifications.show({ title: 'Key revoked', message: `“${apiKey.name}” no longer works.` });
                  close();
                },
                onError: (e) => notifications.show({ color: 'red', title: 'Revoke failed', message: describeError(e) }),
              }),
          }}
        />
      )}

      <ShownOnce created={shown} onClose={() => setShown(undefined)} />
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
