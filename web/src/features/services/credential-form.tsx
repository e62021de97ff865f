import { Alert, Button, Group, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { describeError, isPlatformApiError } from '../../api/errors';
import { useSaveCredentials, type Service, type StoredCredentials } from './queries';

/**
 * A form built from the service's credential schema. Secret fields start empty every time and
 * are never filled from the server (it never sends them back; it shows them masked). The PUT
 * replaces the whole set, so replacing means entering every secret again.
 */
export function CredentialForm({
  service,
  stored,
  onDone,
  onCancel,
}: {
  service: Service;
  stored: StoredCredentials | null | undefined;
  onDone: () => void;
  onCancel: () => void;
}) {
  const fields = service.credential_schema;
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, f.secret ? '' : (stored?.fields[f.name]?.value ?? '')])),
  );
  const save = useSaveCredentials(service.slug);
  const error = save.error;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
    save.mutate(body, {
      onSuccess: () => {
        setValues({}); // drop the typed secrets from memory at once
        onDone();
      },
    });
  };

  const missing = fields.some((f) => f.required && !values[f.name]);
  return (
    <form onSubmit={submit} aria-label={`Credentials for ${service.title}`} noValidate autoComplete="off">
      <Stack gap="sm">
        {error && !(isPlatformApiError(error) && error.details.length && error.details.every((d) => fields.some((f) => f.name === d.path))) && (
          <Alert color="red" role="alert" title="The credentials were not saved">
            {describeError(error)}
          </Alert>
        )}
        {fields.map((f) => {
          const common = {
            label: f.title,
            description: f.description,
            required: f.required,
            maxLength: f.max_length,
            value: values[f.name] ?? '',
            error: isPlatformApiError(error) ? error.fieldMessage(f.name) : undefined,
            onChange: (e: { currentTarget: HTMLInputElement }) => {
              const v = e.currentTarget.value;
              setValues((prev) => ({ ...prev, [f.name]: v }));
            },
            name: f.name,
          };
          return f.secret ? (
            <PasswordInput key={f.name} {...common} autoComplete="new-password" placeholder={stored?.fields[f.name]?.set ? 'Enter the new value' : undefined} />
          ) : (
            <TextInput key={f.name} {...common} autoComplete="off" />
          );
        })}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel} disabled={save.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending} disabled={missing}>
            {stored ? 'Replace credentials' : 'Save and connect'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
