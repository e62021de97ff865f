import { Badge, Button, Code, Group, Select, Stack, Table, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { when } from '../../components/format';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';

const SOURCES = ['http', 'upstream', 'stdio', 'process', 'internal'] as const;
type Source = (typeof SOURCES)[number];

export default function ErrorsPage() {
  const [source, setSource] = useState<Source | null>(null);
  const groups = useInfiniteQuery({
    queryKey: ['admin', 'errors', source],
    queryFn: async ({ pageParam, signal }) => unwrap(await api.GET('/v1/admin/errors', { params: { query: { source: source ?? undefined, limit: 50, cursor: pageParam } }, signal })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = groups.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Page title="Error groups" lead="Unexpected errors, grouped by fingerprint (type, message shape and top frame), most recent first. A sample request ID finds the request in Logs.">
      <Select label="Source" placeholder="any" clearable data={[...SOURCES]} value={source} onChange={(v) => setSource((v as Source | null) ?? null)} maw={240} />
      {groups.isPending ? (
        <LoadingState label="Loading error groups…" />
      ) : groups.isError ? (
        <ErrorState title="Could not load error groups" error={groups.error} onRetry={() => void groups.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title="No unexpected errors">Nothing went wrong that the platform did not expect{source ? ` from ${source}` : ''}. Refused requests (4xx) are not errors; find them in Logs.</EmptyState>
      ) : (
        <Stack gap="sm">
          <Table.ScrollContainer minWidth={820}>
            <Table striped aria-label="Error groups">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Fingerprint</Table.Th>
                  <Table.Th>Error</Table.Th>
                  <Table.Th>Source</Table.Th>
                  <Table.Th>Count</Table.Th>
                  <Table.Th>First seen</Table.Th>
                  <Table.Th>Last seen</Table.Th>
                  <Table.Th>Sample request</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((g) => (
                  <Table.Tr key={g.fingerprint}>
                    <Table.Td>
                      <Code title={g.fingerprint}>{g.fingerprint.slice(0, 12)}</Code>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" fw={600}>
                        {g.type}
                      </Text>
                      <Text size="xs" lineClamp={2}>
                        {g.message}
                      </Text>
                      {g.top_frame && (
                        <Text size="xs" c="dimmed" ff="monospace" lineClamp={1}>
                          {g.top_frame}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light">{g.source}</Badge>
                    </Table.Td>
                    <Table.Td>{g.count}</Table.Td>
                    <Table.Td>{when(g.first_seen)}</Table.Td>
                    <Table.Td>{when(g.last_seen)}</Table.Td>
                    <Table.Td>{g.sample_request_id ? <Code>{g.sample_request_id}</Code> : '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {groups.hasNextPage && (
            <Group>
              <Button variant="default" loading={groups.isFetchingNextPage} onClick={() => void groups.fetchNextPage()}>
                Load more
              </Button>
            </Group>
          )}
        </Stack>
      )}
    </Page>
  );
}
