import { Alert, Badge, Button, Group, SegmentedControl, Stack, Table, Tabs, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { shortId, when } from '../../components/format';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import type { AdminUser } from '../admin-users/queries';
import { amount } from './amount';
import { Prices } from './prices';
import { useEvents, useFinalise, usePayouts, usePayoutsCsv, useRedeliver, useStatement, useStatementCsv, type EventState } from './queries';
import { UserPicker } from './user-picker';

/**
 * Billing for admins (docs/billing.md, "Admin page"): the per-call prices (set, changed, removed), a
 * user's statement of a month (any user: searched and paged; finalising a month; CSV), the providers'
 * payouts (CSV) and the webhook outbox, each through the REST API with the generated client;
 * loading, empty and error states on every tab.
 */

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
/** `YYYY-MM` of the month before the current one (UTC): the one usually wanted. */
const previousMonth = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
};

export default function BillingPage() {
  return (
    <Page title="Billing" lead="Prices per call, users' monthly statements, providers' payouts and the webhook outbox.">
      <Tabs defaultValue="prices" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="prices">Prices</Tabs.Tab>
          <Tabs.Tab value="statements">Statements</Tabs.Tab>
          <Tabs.Tab value="payouts">Payouts</Tabs.Tab>
          <Tabs.Tab value="outbox">Outbox</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="prices" pt="md">
          <Prices />
        </Tabs.Panel>
        <Tabs.Panel value="statements" pt="md">
          <Statements />
        </Tabs.Panel>
        <Tabs.Panel value="payouts" pt="md">
          <Payouts />
        </Tabs.Panel>
        <Tabs.Panel value="outbox" pt="md">
          <Outbox />
        </Tabs.Panel>
      </Tabs>
    </Page>
  );
}

function MonthInput({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return (
    <TextInput
      label="Month"
      description="YYYY-MM"
      value={value}
      onChange={(e) => onChange(e.currentTarget.value.trim())}
      error={value !== '' && !MONTH.test(value) ? 'A month looks like 2026-11' : undefined}
      w={160}
    />
  );
}

function Statements() {
  const [user, setUser] = useState<AdminUser | null>(null);
  const userId = user?.id ?? null;
  const [month, setMonth] = useState(previousMonth);
  const statement = useStatement(userId, MONTH.test(month) ? month : '');
  const finalise = useFinalise();
  const csv = useStatementCsv();
  const [confirming, setConfirming] = useState(false);
  const ready = userId !== null && MONTH.test(month);
  return (
    <Stack>
      <UserPicker
        chosen={user}
        onChoose={(u) => {
          setUser(u);
          csv.reset();
        }}
      />
      <Group align="flex-start">
        <MonthInput value={month} onChange={setMonth} />
        <Button mt={24} variant="light" disabled={!MONTH.test(month)} onClick={() => setConfirming(true)}>
          Finalise {MONTH.test(month) ? month : 'the month'}
        </Button>
        <Button mt={24} variant="default" disabled={!ready} loading={csv.isPending} onClick={() => userId && csv.mutate({ userId, month })}>
          Download CSV
        </Button>
      </Group>
      {csv.isError && <ErrorState title="The CSV could not be downloaded" error={csv.error} />}
      {!ready ? (
        <Text c="dimmed">Choose a user and a month to read their statement.</Text>
      ) : statement.isPending ? (
        <LoadingState label="Loading the statement…" />
      ) : statement.isError ? (
        <ErrorState title="The statement could not be loaded" error={statement.error} onRetry={() => void statement.refetch()} />
      ) : (
        <section aria-labelledby="statement-title" data-testid="billing-statement">
          <Group gap="xs" mb="xs">
            <Title order={2} size="h4" id="statement-title">
              Statement of {month}
            </Title>
            <Badge variant="light" color={statement.data.status === 'final' ? 'teal' : 'yellow'}>
              {statement.data.status === 'final' ? `final · ${when(statement.data.finalized_at)}` : 'open'}
            </Badge>
          </Group>
          {statement.data.line_items.length === 0 ? (
            <EmptyState title="No calls this month">This user made no metered call in {month}.</EmptyState>
          ) : (
            <Table withTableBorder>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Service</Table.Th>
                  <Table.Th>Calls</Table.Th>
                  <Table.Th>Unit price</Table.Th>
                  <Table.Th>Amount</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {statement.data.line_items.map((l) => (
                  <Table.Tr key={l.service} data-service={l.service}>
                    <Table.Td>{l.service}</Table.Td>
                    <Table.Td>{l.calls}</Table.Td>
                    <Table.Td>{l.unit_price === null ? 'free' : `${amount(l.unit_price)} ${l.currency ?? ''}`}</Table.Td>
                    <Table.Td>{l.amount === null ? '—' : `${amount(l.amount)} ${l.currency ?? ''}`}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          <Text mt="xs" fw={600}>
            Total: {statement.data.totals.length ? statement.data.totals.map((t) => `${amount(t.amount)} ${t.currency}`).join(' + ') : 'nothing to pay'}
          </Text>
        </section>
      )}
      <ConfirmDialog
        opened={confirming}
        title={`Finalise ${month}?`}
        confirmLabel="Finalise"
        color="blue"
        pending={finalise.isPending}
        error={finalise.error}
        errorTitle="Not finalised"
        onClose={() => {
          setConfirming(false);
          finalise.reset();
        }}
        onConfirm={() =>
          finalise.mutate(month, {
            onSuccess: (r) => {
              setConfirming(false);
              notifications.show({ color: 'green', title: `${r.month} finalised`, message: `${r.finalized} statements finalised, ${r.already_final} already final.` });
            },
          })
        }
      >
        Every user's statement of {month} becomes an immutable snapshot at today's prices (statements already final stay as they are), and each is announced in the outbox.
      </ConfirmDialog>
    </Stack>
  );
}

function Payouts() {
  const [month, setMonth] = useState(previousMonth);
  const valid = MONTH.test(month);
  const payouts = usePayouts(valid ? month : previousMonth());
  const csv = usePayoutsCsv();
  return (
    <Stack>
      <Group align="flex-start">
        <MonthInput value={month} onChange={setMonth} />
        <Button mt={24} variant="default" disabled={!valid} loading={csv.isPending} onClick={() => csv.mutate(month)}>
          Download CSV
        </Button>
      </Group>
      {csv.isError && <ErrorState title="The CSV could not be downloaded" error={csv.error} />}
      {payouts.isPending ? (
        <LoadingState label="Loading the payouts…" />
      ) : payouts.isError ? (
        <ErrorState title="The payouts could not be loaded" error={payouts.error} onRetry={() => void payouts.refetch()} />
      ) : payouts.data.providers.every((p) => p.lines.length === 0) ? (
        <EmptyState title="No payouts this month">No marketplace provider's service was called in {valid ? month : previousMonth()}.</EmptyState>
      ) : (
        <Table withTableBorder data-testid="billing-payouts">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Provider</Table.Th>
              <Table.Th>Service</Table.Th>
              <Table.Th>Calls</Table.Th>
              <Table.Th>Revenue</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {payouts.data.providers.flatMap((p) =>
              p.lines.map((l) => (
                <Table.Tr key={`${p.provider_id}/${l.service}/${l.currency ?? ''}`} data-service={l.service}>
                  <Table.Td title={p.provider_id}>{shortId(p.provider_id)}</Table.Td>
                  <Table.Td>{l.service}</Table.Td>
                  <Table.Td>{l.calls}</Table.Td>
                  <Table.Td>{l.revenue === null ? 'free' : `${amount(l.revenue)} ${l.currency ?? ''}`}</Table.Td>
                </Table.Tr>
              )),
            )}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

const STATE_COLOR: Record<EventState, string> = { pending: 'yellow', delivered: 'teal', dead: 'red' };

function Outbox() {
  const [state, setState] = useState<EventState | 'all'>('all');
  const events = useEvents(state === 'all' ? null : state);
  const redeliver = useRedeliver();
  return (
    <Stack>
      <SegmentedControl
        aria-label="Delivery state"
        value={state}
        onChange={(v) => setState(v as EventState | 'all')}
        data={[
          { value: 'all', label: 'All' },
          { value: 'pending', label: 'Pending' },
          { value: 'delivered', label: 'Delivered' },
          { value: 'dead', label: 'Dead' },
        ]}
        w="fit-content"
      />
      {redeliver.isError && <ErrorState title="Not queued again" error={redeliver.error} />}
      {events.isPending ? (
        <LoadingState label="Loading the outbox…" />
      ) : events.isError ? (
        <ErrorState title="The outbox could not be loaded" error={events.error} onRetry={() => void events.refetch()} />
      ) : events.data.length === 0 ? (
        <EmptyState title={state === 'all' ? 'The outbox is empty' : `No ${state} event`}>
          Events (<code>usage.recorded</code>, <code>statement.finalized</code>) are written only when <code>BILLING_WEBHOOK_URL</code> is set.
        </EmptyState>
      ) : (
        <Table withTableBorder data-testid="billing-events">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Created</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Last answer</Table.Th>
              <Table.Th>Idempotency key</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {events.data.map((e) => (
              <Table.Tr key={e.id} data-event={e.id}>
                <Table.Td>{when(e.created_at)}</Table.Td>
                <Table.Td>{e.type}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={STATE_COLOR[e.state]}>
                    {e.state}
                  </Badge>
                </Table.Td>
                <Table.Td>{e.attempts}</Table.Td>
                <Table.Td>{e.last_status ?? e.last_error ?? '—'}</Table.Td>
                <Table.Td title={e.id}>{shortId(e.id)}</Table.Td>
                <Table.Td>
                  {e.state !== 'pending' && (
                    <Button
                      size="xs"
                      variant="light"
                      loading={redeliver.isPending && redeliver.variables === e.id}
                      onClick={() => redeliver.mutate(e.id, { onSuccess: () => notifications.show({ color: 'green', title: 'Queued again', message: `${e.type} is delivered again with the same idempotency key.` }) })}
                      aria-label={`Deliver ${e.type} ${shortId(e.id)} again`}
                    >
                      Deliver again
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {events.data && events.data.length === 100 && <Alert color="gray">The 100 newest events are shown.</Alert>}
    </Stack>
  );
}
