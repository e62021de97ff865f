import { Alert, Button, Checkbox, Fieldset, Group, Radio, Select, SimpleGrid, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { useMemo, useState, type FormEvent } from 'react';
import { describeError, isPlatformApiError } from '../../api/errors';
import { FormActions } from '../../components/form-actions';
import { TransportSelect } from '../../components/transport-select';
import { useRegisterService, type AdminService } from './queries';
import {
  draftToService,
  emptyCredential,
  emptyDraft,
  fieldOfApiError,
  validateDraft,
  type CredentialDraft,
  type DraftErrors,
  type PayloadCapture,
  type Role,
  type ServiceDraft,
} from './service-draft';

export const PAYLOAD_CAPTURE_OPTIONS = [
  { value: 'off', label: 'Off: no request log rows' },
  { value: 'metadata', label: 'Metadata: rows without bodies' },
  { value: 'full', label: 'Full: rows with redacted, size-capped bodies' },
];

/** The API's refusal, split into what belongs under a field and what does not. */
export function apiErrors(error: unknown): { fields: DraftErrors; rest?: unknown } {
  if (!isPlatformApiError(error)) return error ? { fields: {}, rest: error } : { fields: {} };
  if (error.code === 'slug_taken') return { fields: { slug: error.message } };
  const fields: DraftErrors = {};
  const unplaced = error.details.filter((d) => {
    const placed = d.path ? fieldOfApiError(d.path, d.message) : undefined;
    if (placed) fields[placed.field] ??= placed.message;
    return !placed;
  });
  return { fields, rest: unplaced.length || !error.details.length ? error : undefined };
}

/**
 * Register an http or stdio service (`POST /v1/admin/services`). Checked as the API checks before
 * sending; whatever the API still refuses is shown under the field it names.
 */
export function RegisterServiceForm({ onDone, onCancel }: { onDone: (created: AdminService) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState<ServiceDraft>(emptyDraft);
  const [checked, setChecked] = useState(false);
  const register = useRegisterService();
  const local = useMemo(() => (checked ? validateDraft(draft) : {}), [checked, draft]);
  const remote = apiErrors(register.error);
  const errors: DraftErrors = { ...remote.fields, ...local };
  const set = <K extends keyof ServiceDraft>(key: K, value: ServiceDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setChecked(true);
    if (Object.keys(validateDraft(draft)).length) return;
    register.reset();
    register.mutate(draftToService(draft), { onSuccess: onDone });
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Register a service">
      <Stack gap="sm">
        <FormProblems refused={remote.rest} refusedTitle="The service was not registered" unsent={checked ? Object.keys(local).length : 0} />
        <Radio.Group label="Kind" value={draft.kind} onChange={(v) => set('kind', v === 'stdio' ? 'stdio' : 'http')} description="http: a remote MCP endpoint, balanced over its instances. stdio: a command run as one child process per user.">
          <Group mt={4}>
            <Radio value="http" label="http (remote endpoint)" />
            <Radio value="stdio" label="stdio (command)" />
          </Group>
        </Radio.Group>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Slug" description="In URLs: /mcp/<slug>" required value={draft.slug} onChange={(e) => set('slug', e.currentTarget.value)} error={errors.slug} maxLength={63} />
          <TextInput label="Title" required value={draft.title} onChange={(e) => set('title', e.currentTarget.value)} error={errors.title} maxLength={200} />
        </SimpleGrid>
        <Textarea label="Description" autosize minRows={2} value={draft.description} onChange={(e) => set('description', e.currentTarget.value)} error={errors.description} maxLength={4000} />
        {draft.kind === 'http' ? (
          <>
            <Textarea
              label="Instance URLs"
              description="One per line, e.g. https://mcp.example.com/mcp; more can be added later"
              autosize
              minRows={2}
              value={draft.instances}
              onChange={(e) => set('instances', e.currentTarget.value)}
              error={errors.instances}
            />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TransportSelect value={draft.transport} onChange={(v) => set('transport', v)} error={errors.transport} />
              <TextInput label="Timeout (ms)" description="Empty: the platform default" inputMode="numeric" value={draft.timeoutMs} onChange={(e) => set('timeoutMs', e.currentTarget.value)} error={errors.timeoutMs} />
            </SimpleGrid>
          </>
        ) : (
          <>
            <TextInput label="Command" description="Run without a shell; e.g. npx" required value={draft.command} onChange={(e) => set('command', e.currentTarget.value)} error={errors.command} maxLength={500} />
            <Textarea label="Arguments" description="One per line" autosize minRows={2} value={draft.args} onChange={(e) => set('args', e.currentTarget.value)} error={errors.args} />
            <Textarea label="Environment" description="NAME=value, one per line; fixed and not secret (secrets are credential fields)" autosize minRows={1} value={draft.env} onChange={(e) => set('env', e.currentTarget.value)} error={errors.env} />
          </>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Checkbox.Group label="Roles that may use it" value={draft.roles} onChange={(v) => set('roles', v.filter((r): r is Role => r === 'user' || r === 'admin'))} error={errors.roles}>
            <Group mt={4}>
              <Checkbox value="user" label="user" />
              <Checkbox value="admin" label="admin" />
            </Group>
          </Checkbox.Group>
          <Select label="Payload capture" data={PAYLOAD_CAPTURE_OPTIONS} value={draft.payloadCapture} onChange={(v) => v && set('payloadCapture', v as PayloadCapture)} error={errors.payloadCapture} allowDeselect={false} />
        </SimpleGrid>
        <Switch label="Enabled when registered" checked={draft.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
        <CredentialFieldsEditor kind={draft.kind} fields={draft.credentials} errors={errors} onChange={(credentials) => set('credentials', credentials)} />
        <FormActions submitLabel="Register" pending={register.isPending} onCancel={onCancel} />
      </Stack>
    </form>
  );
}

/** What stops a form: the API's refusal that belongs under no field, and how many fields the form's own checks marked. */
export function FormProblems({ refused, refusedTitle, unsent }: { refused: unknown; refusedTitle: string; unsent: number }) {
  return (
    <>
      {refused ? (
        <Alert color="red" role="alert" title={refusedTitle}>
          {describeError(refused)}
        </Alert>
      ) : null}
      {unsent > 0 && (
        <Alert color="red" role="alert" title="Check the marked fields">
          Nothing was sent: {unsent} field(s) need a change.
        </Alert>
      )}
    </>
  );
}

/** The credential fields users supply (at most 32): one row each, removable, and a button to add one. */
export function CredentialFieldsEditor({
  kind,
  fields,
  errors,
  onChange,
  note,
}: {
  kind: ServiceDraft['kind'];
  fields: CredentialDraft[];
  errors: DraftErrors;
  onChange: (fields: CredentialDraft[]) => void;
  note?: string;
}) {
  return (
    <Fieldset legend="Credential fields (what each user supplies)">
      <Stack gap="sm">
        {note && (
          <Text size="xs" c="dimmed">
            {note}
          </Text>
        )}
        {fields.length === 0 && (
          <Text size="sm" c="dimmed">
            None: users need nothing to connect.
          </Text>
        )}
        {fields.map((c, i) => (
          <CredentialFieldRow
            key={i}
            index={i}
            kind={kind}
            field={c}
            errors={errors}
            onChange={(change) => onChange(fields.map((f, j) => (j === i ? { ...f, ...change } : f)))}
            onRemove={() => onChange(fields.filter((_, j) => j !== i))}
          />
        ))}
        <Group>
          <Button variant="light" size="xs" onClick={() => onChange([...fields, emptyCredential()])} disabled={fields.length >= 32}>
            Add a credential field
          </Button>
        </Group>
      </Stack>
    </Fieldset>
  );
}

function CredentialFieldRow({
  index,
  kind,
  field,
  errors,
  onChange,
  onRemove,
}: {
  index: number;
  kind: ServiceDraft['kind'];
  field: CredentialDraft;
  errors: DraftErrors;
  onChange: (change: Partial<CredentialDraft>) => void;
  onRemove: () => void;
}) {
  const at = `credentials.${index}`;
  const n = index + 1;
  return (
    <Fieldset legend={`Field ${n}`} variant="filled" data-credential-field={index}>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label={`Field ${n} name`} description="The key users send, e.g. token" required value={field.name} onChange={(e) => onChange({ name: e.currentTarget.value })} error={errors[`${at}.name`]} maxLength={64} />
        <TextInput label={`Field ${n} title`} description="What users read" required value={field.title} onChange={(e) => onChange({ title: e.currentTarget.value })} error={errors[`${at}.title`]} maxLength={200} />
        <TextInput
          label={kind === 'stdio' ? `Field ${n} environment variable` : `Field ${n} header`}
          description={kind === 'stdio' ? 'Set in the child process, e.g. API_TOKEN' : 'Sent to the upstream, e.g. Authorization'}
          required
          value={field.target}
          onChange={(e) => onChange({ target: e.currentTarget.value })}
          error={errors[`${at}.target`]}
          maxLength={128}
        />
        {kind === 'http' && (
          <TextInput label={`Field ${n} template`} description="Optional: how the value is written into the header, e.g. Bearer {value}" value={field.template} onChange={(e) => onChange({ template: e.currentTarget.value })} error={errors[`${at}.template`]} maxLength={256} />
        )}
      </SimpleGrid>
      <Group mt="xs">
        <Checkbox label="Secret (shown masked)" checked={field.secret} onChange={(e) => onChange({ secret: e.currentTarget.checked })} />
        <Checkbox label="Required" checked={field.required} onChange={(e) => onChange({ required: e.currentTarget.checked })} />
        <Button variant="subtle" color="red" size="xs" ml="auto" onClick={onRemove} aria-label={`Remove credential field ${n}`}>
          Remove
        </Button>
      </Group>
    </Fieldset>
  );
}
