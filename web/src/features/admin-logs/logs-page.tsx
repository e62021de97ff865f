import { Badge, Button, Code, Drawer, Group, Stack, Table, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { FilterBar, type FilterField } from '../../components/filter-bar';
import { ms, shortId, when } from '../../components/format';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { useAdminLogs, type LogEntry, type LogFilters } from './queries';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;

interface Form {
  user: string;
  service: string;
  tool: string;
  kind: string | null;
  status: string | null;
  minLatency: number | string;
}

/** Only valid filters reach the API (the field says what is wrong with the others). */
function toFilters(f: Form): { filters: LogFilters; errors: Partial<Record<keyof Form, string>> } {
  const errors: Partial<Record<keyof Form, string>> = {};
  const filters: LogFilters = {};
  if (f.user) {
    if (UUID.test(f.user)) filters.user_id = f.user;
    else errors.user = 'A user ID looks like 1b4e28ba-2fa1-11d2-883f-0016d3cca427 (copy it from Users or the audit trail)';
  }
  if (f.service) {
    if (SLUG.test(f.service)) filters.service = f.service;
    else errors.service = 'A service slug: lower-case letters, digits, - and _';
  }
  if (f.tool) filters.tool = f.tool;
  if (f.kind === 'mcp' || f.kind === 'rest') filters.kind = f.kind;
  if (f.status === 'ok' || f.status === 'error') filters.status = f.status;
  if (typeof f.minLatency === 'number') filters.min_latency_ms = f.minLatency;
  return { filters, errors };
}

const FILTERS: Array<FilterField<keyof Form>> = [
  { type: 'text', name: 'user', label: 'User ID' },
  { type: 'text', name: 'service', label: 'Service', placeholder: 'e.g. notes' },
  { type: 'text', name: 'tool', label: 'Tool', placeholder: 'e.g. create_note' },
  { type: 'select', name: 'kind', label: 'Kind', options: ['mcp', 'rest'] },
  { type: 'select', name: 'status', label: 'Status', options: ['ok', 'error'] },
  { type: 'number', name: 'minLatency', label: 'Slower than (ms)', min: 0 },
];

export default function LogsPage() {
  const [form, setForm] = useState<Form>({ user: '', service: '', tool: '', kind: null, status: null, minLatency: '' });
  const [debounced] = useDebouncedValue(form, 300);
  const { filters, errors } = toFilters({ ...debounced, user: debounced.user.trim(), service: debounced.service.trim(), tool: debounced.tool.trim() });
  const logs = useAdminLogs(filters);
  const [open, setOpen] = useState<LogEntry>();
  const rows = logs.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <Page title="Logs" lead="Every request across users, newest first, with the same filters as GET /v1/admin/logs. Open one for all its fields.">
      <FilterBar fields={FILTERS} values={form} errors={errors} onChange={(name, value) => setForm((f) => ({ ...f, [name]: value }))} />
      {logs.isPending ? (
        <LoadingState label="Loading the request log…" />
      ) : logs.isError ? (
        <ErrorState title="Could not load the request log" error={logs.error} onRetry={() => void logs.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title="No requests match">Clear a filter, or make a call: rows appear within a second or two.</EmptyState>
      ) : (
        <Stack gap="sm">
          <Table.ScrollContainer minWidth={820}>
            <Table striped highlightOnHover aria-label="Requests">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Time</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>User</Table.Th>
                  <Table.Th>Service</Table.Th>
                  <Table.Th>Request</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Latency</Table.Th>
                  <Table.Th>
                    <span className="visually-hidden">Details</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>{when(r.time)}</Table.Td>
                    <Table.Td>{r.kind}</Table.Td>
                    <Table.Td title={r.user_id ?? 'anonymous'}>{r.user_id ? shortId(r.user_id) : 'anonymous'}</Table.Td>
                    <Table.Td>{r.service ?? '—'}</Table.Td>
                    <Table.Td>
                      <Code>{r.method}</Code> {r.target ?? r.route ?? ''}
                    </Table.Td>
                    <Table.Td>
                      <Badge color={r.status === 'ok' ? 'teal' : 'red'} variant="light">
                        {r.status}
                        {r.http_status ? ` ${r.http_status}` : ''}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{ms(r.latency_ms)}</Table.Td>
                    <Table.Td>
                      <Button size="xs" variant="subtle" onClick={() => setOpen(r)} aria-label={`Details of request ${r.request_id}`}>
                        Details
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {logs.hasNextPage && (
            <Group>
              <Button variant="default" loading={logs.isFetchingNextPage} onClick={() => void logs.fetchNextPage()}>
                Load older requests
              </Button>
            </Group>
          )}
        </Stack>
      )}
      <Drawer opened={!!open} onClose={() => setOpen(undefined)} title="Request details" position="right" size="lg">
        {open && <LogDetail entry={open} />}
      </Drawer>
    </Page>
  );
}

function LogDetail({ entry }: { entry: LogEntry }) {
  const { payload, ...fields } = entry;
  return (
    <Stack gap="sm">
      <Table aria-label="Request fields" withRowBorders={false}>
        <Table.Tbody>
          {Object.entries(fields).map(([k, v]) => (
            <Table.Tr key={k}>
              <Table.Th scope="row" fw={600}>
                {k}
              </Table.Th>
              <Table.Td>
                <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
                  {v === null || v === undefined ? '—' : String(v)}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text fw={600} size="sm">
        Payload
      </Text>
      {payload == null ? (
        <Text size="sm" c="dimmed">
          Not captured (payload capture is off for this service).
        </Text>
      ) : (
        <Code block>{JSON.stringify(payload, null, 2)}</Code>
      )}
    </Stack>
  );
}
