import { Button, Group, Paper, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { when } from '../../components/format';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { useAdminServices } from '../admin-services/queries';
import { usePrices, useRemovePrice, useSetPrice, type Price } from './queries';
import { amount } from './amount';

const PRICE = /^\d{1,9}(\.\d{1,6})?$/;
const CURRENCY = /^[A-Z]{3}$/;

/** The Prices tab: every priced service, setting a price (new or changed) and removing one (confirmed). */
export function Prices() {
  const prices = usePrices();
  const remove = useRemovePrice();
  const [removing, setRemoving] = useState<Price | null>(null);
  return (
    <Stack>
      <SetPriceForm prices={prices.data ?? []} />
      {prices.isPending ? (
        <LoadingState label="Loading the prices…" />
      ) : prices.isError ? (
        <ErrorState title="The prices could not be loaded" error={prices.error} onRetry={() => void prices.refetch()} />
      ) : prices.data.length === 0 ? (
        <EmptyState title="No service has a price">Calls are free until a price is set (above) or a marketplace listing with a price is approved.</EmptyState>
      ) : (
        <Table withTableBorder data-testid="billing-prices">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Service</Table.Th>
              <Table.Th>Price per call</Table.Th>
              <Table.Th>Since</Table.Th>
              <Table.Th>
                <span className="visually-hidden">Actions</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {prices.data.map((p) => (
              <Table.Tr key={p.service} data-service={p.service}>
                <Table.Td>{p.service}</Table.Td>
                <Table.Td>
                  {amount(p.price_per_call)} {p.currency}
                </Table.Td>
                <Table.Td>{when(p.updated_at)}</Table.Td>
                <Table.Td>
                  <Button size="xs" variant="subtle" color="red" onClick={() => setRemoving(p)} aria-label={`Remove the price of ${p.service}`}>
                    Remove
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <ConfirmDialog
        opened={removing !== null}
        title={`Remove the price of ${removing?.service ?? ''}?`}
        confirmLabel="Remove the price"
        pending={remove.isPending}
        error={remove.error}
        errorTitle="Not removed"
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
        onConfirm={() =>
          removing &&
          remove.mutate(removing.service, {
            onSuccess: () => {
              notifications.show({ color: 'green', title: 'Price removed', message: `Calls to ${removing.service} are free from now on.` });
              setRemoving(null);
            },
          })
        }
      >
        Calls to {removing?.service} are free from now on, and open statements list them as free. Final statements keep the price they were made with.
      </ConfirmDialog>
    </Stack>
  );
}

/** Set a service's price per call: the service from the registry, a decimal of at most 6 places, an ISO 4217 currency. */
function SetPriceForm({ prices }: { prices: Price[] }) {
  const services = useAdminServices();
  const setPrice = useSetPrice();
  const [service, setService] = useState<string | null>(null);
  const [price, setPriceText] = useState('');
  const [currency, setCurrency] = useState('USD');
  const [tried, setTried] = useState(false);
  const priceError = tried && !PRICE.test(price) ? 'A decimal with at most 6 places, e.g. 0.002' : undefined;
  const currencyError = tried && !CURRENCY.test(currency) ? 'Three capital letters (ISO 4217), e.g. USD' : undefined;
  const serviceError = tried && !service ? 'Choose a service' : services.isError ? 'The services could not be loaded' : undefined;
  const current = prices.find((p) => p.service === service);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!service || !PRICE.test(price) || !CURRENCY.test(currency)) return;
    setPrice.mutate(
      { service, price_per_call: price, currency },
      {
        onSuccess: (p) => {
          notifications.show({ color: 'green', title: 'Price set', message: `${p.service}: ${amount(p.price_per_call)} ${p.currency} per call.` });
          setPriceText('');
          setTried(false);
        },
      },
    );
  };
  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} aria-labelledby="set-price-title" noValidate>
      <Title order={2} size="h5" id="set-price-title" mb="xs">
        Set a price
      </Title>
      <Group align="flex-start">
        <Select
          label="Service"
          placeholder={services.isPending ? 'Loading services…' : 'Choose a service'}
          searchable
          data={(services.data ?? []).map((s) => s.slug).sort()}
          value={service}
          onChange={setService}
          nothingFoundMessage="No service has this slug"
          error={serviceError}
          description={current ? `Now ${amount(current.price_per_call)} ${current.currency}` : 'Free now'}
          w={240}
        />
        <TextInput label="Price per call" description="e.g. 0.002" value={price} onChange={(e) => setPriceText(e.currentTarget.value.trim())} error={priceError} w={160} />
        <TextInput label="Currency" description="ISO 4217" value={currency} onChange={(e) => setCurrency(e.currentTarget.value.trim().toUpperCase())} error={currencyError} w={120} />
        <Button type="submit" mt={44} loading={setPrice.isPending}>
          Set the price
        </Button>
      </Group>
      {setPrice.isError && (
        <div style={{ marginTop: 'var(--mantine-spacing-xs)' }}>
          <ErrorState title="The price was not set" error={setPrice.error} />
        </div>
      )}
    </Paper>
  );
}
