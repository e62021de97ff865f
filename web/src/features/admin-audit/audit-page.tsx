import { Alert, Badge, Button, Code, Group, Stack, Table, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { describeError } from '../../api/errors';
import { FilterBar, type FilterField } from '../../components/filter-bar';
import { shortId, when } from '../../components/format';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { useAudit, useVerifyChain, type AuditFilters, type ChainCheck } from './queries';

const ACTION_FORMAT = /^[a-z_]+\.[a-z_]+$/;
const REASONS: Record<string, string> = {
  hash_mismatch: 'its content does not match its hash (the row was changed)',
  prev_hash_mismatch: 'it does not link to the entry before it (a row was replaced or reordered)',
  sequence_gap: 'entries before it are missing (rows were deleted)',
};

const FILTERS: Array<FilterField<'action' | 'actor' | 'outcome'>> = [
  { type: 'text', name: 'action', label: 'Action', placeholder: 'e.g. admin.user_disabled' },
  { type: 'text', name: 'actor', label: 'Actor (user ID)', placeholder: "a user's ID" },
  { type: 'select', name: 'outcome', label: 'Outcome', options: ['success', 'failure'] },
];

export default function AuditPage() {
  const [action, setAction] = useState('');
  const [actor, setActor] = useState('');
  const [outcome, setOutcome] = useState<string | null>(null);
  const [debounced] = useDebouncedValue({ action: action.trim(), actor: actor.trim() }, 300);
  const actionInvalid = debounced.action !== '' && !ACTION_FORMAT.test(debounced.action);
  const filters: AuditFilters = {
    ...(debounced.action && !actionInvalid ? { action: debounced.action } : {}),
    ...(debounced.actor ? { actor_id: debounced.actor } : {}),
    ...(outcome === 'success' || outcome === 'failure' ? { outcome } : {}),
  };
  const audit = useAudit(filters);
  const verify = useVerifyChain();
  const rows = audit.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <Page title="Audit trail" lead="Security events, newest first. Each entry is chained to the one before it by a hash, so a changed or deleted row shows.">
      <Group align="flex-start" wrap="wrap">
        <Button onClick={() => verify.mutate()} loading={verify.isPending} variant="light">
          Verify chain
        </Button>
        <div style={{ flex: 1, minWidth: 240 }}>{verify.data ? <ChainResult check={verify.data} /> : verify.isError ? <ErrorState title="Could not verify the chain" error={verify.error} /> : null}</div>
      </Group>
      <FilterBar
        fields={FILTERS}
        values={{ action, actor, outcome }}
        errors={{ action: actionInvalid ? 'An action looks like area.event, e.g. auth.login' : undefined }}
        onChange={(name, value) => {
          const text = typeof value === 'string' ? value : '';
          if (name === 'action') setAction(text);
          else if (name === 'actor') setActor(text);
          else setOutcome(value === null ? null : text);
        }}
      />
      {audit.isPending ? (
        <LoadingState label="Loading the audit trail…" />
      ) : audit.isError ? (
        <ErrorState title="Could not load the audit trail" error={audit.error} onRetry={() => void audit.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title="No entries match">Clear a filter to see more. Sign-ins, key and credential changes and admin actions are recorded here.</EmptyState>
      ) : (
        <Stack gap="sm">
          <Table.ScrollContainer minWidth={820}>
            <Table striped aria-label="Audit entries">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>#</Table.Th>
                  <Table.Th>Time</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Outcome</Table.Th>
                  <Table.Th>Actor</Table.Th>
                  <Table.Th>Target</Table.Th>
                  <Table.Th>Details</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => (
                  <Table.Tr key={r.seq} data-action={r.action}>
                    <Table.Td>{r.seq}</Table.Td>
                    <Table.Td>{when(r.time)}</Table.Td>
                    <Table.Td>
                      <Code>{r.action}</Code>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={r.outcome === 'success' ? 'teal' : 'red'} variant="light">
                        {r.outcome}
                      </Badge>
                    </Table.Td>
                    <Table.Td title={r.actor_id ?? 'system or anonymous'}>{r.actor_id ? shortId(r.actor_id) : 'system'}</Table.Td>
                    <Table.Td title={r.target_id ?? ''}>
                      {r.target_type ?? ''} {shortId(r.target_id)}
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" ff="monospace" lineClamp={2}>
                        {Object.keys(r.details).length ? JSON.stringify(r.details) : ''}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {audit.hasNextPage && (
            <Group>
              <Button variant="default" loading={audit.isFetchingNextPage} onClick={() => void audit.fetchNextPage()}>
                Load older entries
              </Button>
            </Group>
          )}
        </Stack>
      )}
    </Page>
  );
}

function ChainResult({ check }: { check: ChainCheck }) {
  if (check.ok) {
    return (
      <Alert color="teal" title="Chain intact" role="status" data-testid="chain-result">
        {check.checked} entries checked{check.head ? `, up to #${check.head.seq}` : ''}; every entry links to the one before it.
      </Alert>
    );
  }
  const broken = check.firstBroken;
  return (
    <Alert color="red" title="Chain broken" role="alert" data-testid="chain-result">
      {broken ? `The first broken link is entry #${broken.seq}: ${REASONS[broken.reason] ?? broken.reason}.` : describeError(new Error('The chain does not verify.'))}{' '}
      {check.head ? `Entries up to #${check.head.seq} are intact.` : ''} Compare with the audit lines shipped to your log store.
    </Alert>
  );
}
