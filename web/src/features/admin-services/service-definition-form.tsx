import { Alert, Button, Fieldset, Group, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useMemo, useState, type FormEvent } from 'react';
import { describeError } from '../../api/errors';
import { FormActions } from '../../components/form-actions';
import { useChangeService, type AdminService, type ServiceChange } from './queries';
import { apiErrors, CredentialFieldRow } from './register-service-form';
import { credentialsFromApi, credentialsToApi, emptyCredential, validateCredentials, type CredentialDraft, type DraftErrors } from './service-draft';

/** Credential fields the form can edit: those of http (headers) and stdio (environment) services. */
export const editableCredentialKind = (s: AdminService): 'http' | 'stdio' | undefined => (s.kind === 'http' || s.kind === 'stdio' ? s.kind : undefined);

/**
 * Title, description and credential fields of an admin-registered service
 * (`PATCH /v1/admin/services/{id}`; catalog-file services are read-only here, as the API answers
 * 409 `catalog_managed` for them). Only what changed is sent; the API's refusals land under their field.
 */
export function ServiceDefinitionForm({ service, onDone, onCancel }: { service: AdminService; onDone: () => void; onCancel: () => void }) {
  const kind = editableCredentialKind(service);
  const initial = useMemo(() => credentialsFromApi(service.credential_schema), [service.credential_schema]);
  const [title, setTitle] = useState(service.title);
  const [description, setDescription] = useState(service.description ?? '');
  const [credentials, setCredentials] = useState<CredentialDraft[]>(initial);
  const [checked, setChecked] = useState(false);
  const change = useChangeService();

  const local: DraftErrors = {};
  if (checked) {
    if (title.trim() === '') local.title = 'Give the service a title';
    if (kind) Object.assign(local, validateCredentials(kind, credentials));
  }
  const remote = apiErrors(change.error);
  const errors: DraftErrors = { ...remote.fields, ...local };

  const patch: ServiceChange = {};
  if (title.trim() !== service.title) patch.title = title.trim();
  if (description !== (service.description ?? '')) patch.description = description;
  if (kind && JSON.stringify(credentialsToApi(kind, credentials)) !== JSON.stringify(credentialsToApi(kind, initial))) patch.credentials = credentialsToApi(kind, credentials);
  const unchanged = Object.keys(patch).length === 0;

  const setCredential = (index: number, next: Partial<CredentialDraft>) => setCredentials((list) => list.map((c, i) => (i === index ? { ...c, ...next } : c)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setChecked(true);
    const problems = { ...(title.trim() === '' ? { title: 'x' } : {}), ...(kind ? validateCredentials(kind, credentials) : {}) };
    if (Object.keys(problems).length || unchanged) return;
    change.reset();
    change.mutate({ id: service.id, change: patch }, { onSuccess: onDone });
  };

  return (
    <form onSubmit={submit} noValidate aria-label={`Definition of ${service.title}`}>
      <Stack gap="sm">
        {remote.rest ? (
          <Alert color="red" role="alert" title="Nothing changed">
            {describeError(remote.rest)}
          </Alert>
        ) : null}
        {checked && Object.keys(local).length > 0 && (
          <Alert color="red" role="alert" title="Check the marked fields">
            Nothing was sent: {Object.keys(local).length} field(s) need a change.
          </Alert>
        )}
        <TextInput label="Title" required value={title} onChange={(e) => setTitle(e.currentTarget.value)} error={errors.title} maxLength={200} />
        <Textarea label="Description" autosize minRows={2} value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={errors.description} maxLength={4000} />
        {kind ? (
          <Fieldset legend="Credential fields (what each user supplies)">
            <Stack gap="sm">
              <Text size="xs" c="dimmed">
                Users' stored values are matched by field name: a renamed field, or a new required one, asks each user for it again.
              </Text>
              {credentials.length === 0 && (
                <Text size="sm" c="dimmed">
                  None: users need nothing to connect.
                </Text>
              )}
              {credentials.map((c, i) => (
                <CredentialFieldRow key={i} index={i} kind={kind} field={c} errors={errors} onChange={(next) => setCredential(i, next)} onRemove={() => setCredentials((list) => list.filter((_, j) => j !== i))} />
              ))}
              <Group>
                <Button variant="light" size="xs" onClick={() => setCredentials((list) => [...list, emptyCredential()])} disabled={credentials.length >= 32}>
                  Add a credential field
                </Button>
              </Group>
            </Stack>
          </Fieldset>
        ) : (
          <Text size="sm" c="dimmed">
            The credential fields of a {service.kind} service are edited {service.kind === 'openapi' ? 'in the builder' : 'where it is defined'}.
          </Text>
        )}
        <FormActions submitLabel="Save" pending={change.isPending} disabled={unchanged} onCancel={onCancel} />
      </Stack>
    </form>
  );
}
