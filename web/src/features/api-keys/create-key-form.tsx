import { Alert, Button, Group, MultiSelect, Paper, Select, Stack, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { describeError, isPlatformApiError } from '../../api/errors';
import { useServices } from '../services/queries';
import { useCreateApiKey, type CreatedApiKey } from './queries';

const EXPIRY = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'never', label: 'Never (until revoked)' },
];

export function expiryDate(choice: string, now = Date.now()): string | null {
  if (choice === 'never') return null;
  return new Date(now + Number(choice) * 86_400_000).toISOString();
}

/** Name, expiry and an optional service scope; the created key goes to `onCreated` (shown once). */
export function CreateKeyForm({ onCreated }: { onCreated: (key: CreatedApiKey) => void }) {
  const services = useServices();
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState<string>('90');
  const [scope, setScope] = useState<string[]>([]);
  const error = create.error;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { name: name.trim(), expires_at: expiryDate(expiry), services: scope.length ? scope : null },
      {
        onSuccess: (created) => {
          setName('');
          setScope([]);
          onCreated(created);
        },
      },
    );
  };

  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="create-key-heading">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Title order={2} size="h4" id="create-key-heading">
            Create a key
          </Title>
          {error && !(isPlatformApiError(error) && error.fieldMessage('name')) && (
            <Alert color="red" role="alert" title="The key was not created">
              {describeError(error)}
            </Alert>
          )}
          <Group grow align="flex-start" wrap="wrap">
            <TextInput
              label="Name"
              description="Where you will use it, e.g. “Laptop – Cursor”"
              required
              maxLength={100}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={isPlatformApiError(error) ? error.fieldMessage('name') : undefined}
              miw={220}
            />
            <Select
              label="Expires after"
              description="A key stops working then"
              data={EXPIRY}
              value={expiry}
              onChange={(v) => setExpiry(v ?? '90')}
              allowDeselect={false}
              miw={180}
            />
          </Group>
          <MultiSelect
            label="Services it may reach"
            description="Leave empty for every service you may use"
            placeholder={scope.length ? undefined : 'All your services'}
            data={(services.data ?? []).map((s) => ({ value: s.slug, label: `${s.title} (${s.slug})` }))}
            value={scope}
            onChange={setScope}
            searchable
            clearable
            disabled={services.isPending}
            error={services.isError ? `The service list could not be loaded: ${describeError(services.error)}` : undefined}
          />
          <Group justify="flex-end">
            <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
              Create key
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
