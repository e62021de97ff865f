import { Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useMemo, useState, type FormEvent } from 'react';
import { FormActions } from '../../components/form-actions';
import { useChangeService, type AdminService, type ServiceChange } from './queries';
import { apiErrors, CredentialFieldsEditor, FormProblems } from './register-service-form';
import { credentialsFromApi, credentialsToApi, validateCredentials, type CredentialDraft, type DraftErrors } from './service-draft';

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
        <FormProblems refused={remote.rest} refusedTitle="Nothing changed" unsent={checked ? Object.keys(local).length : 0} />
        <TextInput label="Title" required value={title} onChange={(e) => setTitle(e.currentTarget.value)} error={errors.title} maxLength={200} />
        <Textarea label="Description" autosize minRows={2} value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={errors.description} maxLength={4000} />
        {kind ? (
          <CredentialFieldsEditor
            kind={kind}
            fields={credentials}
            errors={errors}
            onChange={setCredentials}
            note="Users' stored values are matched by field name: a renamed field, or a new required one, asks each user for it again."
          />
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
