import { Button, Group, Paper, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { when } from '../../components/format';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { useAdminUsers, type AdminUser } from '../admin-users/queries';

/**
 * Whose statement to read: every user, found by a part of their e-mail (the API's `q`) and paged
 * with its cursor (50 a page, *More users*), so an admin reaches any user, not only the first ones.
 */
export function UserPicker({ chosen, onChoose }: { chosen: AdminUser | null; onChoose: (user: AdminUser | null) => void }) {
  const [text, setText] = useState('');
  const [q] = useDebouncedValue(text.trim(), 300);
  const users = useAdminUsers(q);
  const rows = users.data?.pages.flatMap((p) => p.users) ?? [];
  if (chosen) {
    return (
      <Group gap="xs">
        <Text>
          User: <strong>{chosen.email ?? chosen.id}</strong>
        </Text>
        <Button size="xs" variant="subtle" onClick={() => onChoose(null)}>
          Choose another user
        </Button>
      </Group>
    );
  }
  return (
    <Paper withBorder p="sm" component="section" aria-label="Choose a user">
      <Stack gap="xs">
        <TextInput label="Find a user" description="A part of their e-mail address" value={text} onChange={(e) => setText(e.currentTarget.value)} w={320} />
        {users.isPending ? (
          <LoadingState label="Loading users…" />
        ) : users.isError ? (
          <ErrorState title="The users could not be loaded" error={users.error} onRetry={() => void users.refetch()} />
        ) : rows.length === 0 ? (
          <EmptyState title="No user found">{q ? `No user's e-mail contains "${q}".` : 'There is no user yet.'}</EmptyState>
        ) : (
          <>
            <Table data-testid="billing-users" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>E-mail</Table.Th>
                  <Table.Th>Signed up</Table.Th>
                  <Table.Th>
                    <span className="visually-hidden">Choose</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((u) => (
                  <Table.Tr key={u.id} data-user={u.id}>
                    <Table.Td>{u.email ?? u.id}</Table.Td>
                    <Table.Td>{when(u.created_at)}</Table.Td>
                    <Table.Td>
                      <Button size="xs" variant="light" onClick={() => onChoose(u)} aria-label={`Statement of ${u.email ?? u.id}`}>
                        Statement
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            <Group gap="xs">
              <Text size="sm" c="dimmed">
                {rows.length} user{rows.length === 1 ? '' : 's'} shown{users.hasNextPage ? ', more follow' : ''}
              </Text>
              {users.hasNextPage && (
                <Button size="xs" variant="default" loading={users.isFetchingNextPage} onClick={() => void users.fetchNextPage()}>
                  More users
                </Button>
              )}
            </Group>
          </>
        )}
      </Stack>
    </Paper>
  );
}
