import { Alert, Badge, Button, Group, Modal, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { describeError } from '../../api/errors';
import { useSession } from '../../auth/session';
import { when } from '../../components/format';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { useAdminUsers, useChangeUser, useRevokeSessions, type AdminUser } from './queries';

type Pending = { user: AdminUser; action: 'disable' | 'enable' | 'revoke' };

const ACTIONS = {
  disable: { title: 'Disable', body: 'They are signed out at once; their API keys and MCP calls are refused until an admin enables the account again.', color: 'red' },
  enable: { title: 'Enable', body: 'They can sign in again, and their API keys work again.', color: 'teal' },
  revoke: { title: 'Sign out everywhere', body: 'Every session of this user ends at once (browsers, devices). Their API keys keep working.', color: 'orange' },
} as const;

export default function UsersPage() {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const users = useAdminUsers(q);
  const me = useSession()?.user.id;
  const [pending, setPending] = useState<Pending>();
  const change = useChangeUser();
  const revoke = useRevokeSessions();
  const rows = users.data?.pages.flatMap((p) => p.users) ?? [];

  const setRole = (user: AdminUser, role: string | null) => {
    if (role !== 'user' && role !== 'admin') return;
    if (role === user.role) return;
    change.mutate(
      { id: user.id, change: { role } },
      {
        onSuccess: () => notifications.show({ color: 'teal', title: 'Role changed', message: `${user.email ?? user.id} is now ${role === 'admin' ? 'an admin' : 'a user'}.` }),
        onError: (e) => notifications.show({ color: 'red', title: 'The role was not changed', message: describeError(e) }),
      },
    );
  };

  const confirm = () => {
    if (!pending) return;
    const { user, action } = pending;
    const done = { onSuccess: () => setPending(undefined) };
    if (action === 'revoke') {
      revoke.mutate(user.id, {
        ...done,
        onSuccess: (r) => {
          setPending(undefined);
          notifications.show({ color: 'teal', title: 'Signed out everywhere', message: `${r.revoked} session(s) of ${user.email ?? user.id} ended.` });
        },
      });
    } else change.mutate({ id: user.id, change: { disabled: action === 'disable' } }, done);
  };
  const busy = change.isPending || revoke.isPending;
  const actionError = pending && (pending.action === 'revoke' ? revoke.error : change.error);

  return (
    <Page title="Users" lead="Search accounts, change roles, disable or enable them, and end their sessions. Every action is in the audit trail.">
      <TextInput label="Search by email" placeholder="part of an address" value={search} onChange={(e) => setSearch(e.currentTarget.value)} maw={420} />
      {users.isPending ? (
        <LoadingState label="Loading users…" />
      ) : users.isError ? (
        <ErrorState title="Could not load users" error={users.error} onRetry={() => void users.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title={q ? 'No user matches' : 'No users yet'}>{q ? `No email contains “${q}”. Check the spelling, or search for a shorter part.` : 'Accounts appear here once people sign up.'}</EmptyState>
      ) : (
        <Stack gap="sm">
          <Table.ScrollContainer minWidth={760}>
            <Table striped aria-label="Users">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Last sign-in</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>
                    <span className="visually-hidden">Actions</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((u) => (
                  <Table.Tr key={u.id} data-user={u.email ?? u.id}>
                    <Table.Td>
                      {u.email ?? <Text c="dimmed">(no email)</Text>} {u.id === me && <Badge size="xs" variant="light">you</Badge>}
                    </Table.Td>
                    <Table.Td>
                      <Select
                        aria-label={`Role of ${u.email ?? u.id}`}
                        data={[
                          { value: 'user', label: 'user' },
                          { value: 'admin', label: 'admin' },
                        ]}
                        value={u.role}
                        onChange={(v) => setRole(u, v)}
                        allowDeselect={false}
                        size="xs"
                        w={110}
                        disabled={busy}
                      />
                    </Table.Td>
                    <Table.Td>
                      <Badge color={u.disabled ? 'red' : 'teal'} variant="light" data-testid="user-status">
                        {u.disabled ? 'Disabled' : 'Active'}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{when(u.last_sign_in_at, 'never')}</Table.Td>
                    <Table.Td>{when(u.created_at)}</Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <Button size="xs" variant="subtle" color={u.disabled ? 'teal' : 'red'} onClick={() => setPending({ user: u, action: u.disabled ? 'enable' : 'disable' })} aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.email ?? u.id}`}>
                          {u.disabled ? 'Enable' : 'Disable'}
                        </Button>
                        <Button size="xs" variant="subtle" color="orange" onClick={() => setPending({ user: u, action: 'revoke' })} aria-label={`Sign ${u.email ?? u.id} out everywhere`}>
                          Sign out everywhere
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {users.hasNextPage && (
            <Group>
              <Button variant="default" loading={users.isFetchingNextPage} onClick={() => void users.fetchNextPage()}>
                Load more users
              </Button>
            </Group>
          )}
        </Stack>
      )}

      <Modal
        opened={!!pending}
        onClose={() => {
          setPending(undefined);
          change.reset();
          revoke.reset();
        }}
        title={pending ? `${ACTIONS[pending.action].title} ${pending.user.email ?? pending.user.id}?` : ''}
        centered
      >
        {pending && (
          <Stack>
            <Text size="sm">{ACTIONS[pending.action].body}</Text>
            {actionError && (
              <Alert color="red" role="alert" title="Nothing changed">
                {describeError(actionError)}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setPending(undefined)}>
                Cancel
              </Button>
              <Button color={ACTIONS[pending.action].color} loading={busy} onClick={confirm}>
                {ACTIONS[pending.action].title}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Page>
  );
}
