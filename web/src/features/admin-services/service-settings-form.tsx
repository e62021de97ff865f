import { Alert, Badge, Checkbox, Group, Select, Stack, Table, TagsInput, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { describeError, isPlatformApiError } from '../../api/errors';
import { FormActions } from '../../components/form-actions';
import { ErrorState, LoadingState } from '../../components/states';
import { PAYLOAD_CAPTURE_OPTIONS } from './register-service-form';
import { useChangeService, useServiceTools, type AdminService, type ServiceChange } from './queries';
import type { PayloadCapture, Role } from './service-draft';

/** The router's rule: an allow list (when set) keeps only its tools, then the deny list hides its own. */
const visibleUnder = (allow: string[], deny: string[], name: string) => (allow.length === 0 || allow.includes(name)) && !deny.includes(name);

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Roles, payload capture and tool policy of one service (`PATCH /v1/admin/services/{id}`, the
 * fields an admin owns even for catalog services). The tools come live from the upstream
 * (`GET /v1/admin/services/{id}/tools`); names may also be typed when it cannot be reached.
 */
export function ServiceSettingsForm({ service, onDone, onCancel }: { service: AdminService; onDone: () => void; onCancel: () => void }) {
  const [roles, setRoles] = useState<Role[]>(service.roles);
  const [capture, setCapture] = useState<PayloadCapture>(service.payload_capture);
  const [allow, setAllow] = useState<string[]>(service.tool_policy.allow ?? []);
  const [deny, setDeny] = useState<string[]>(service.tool_policy.deny ?? []);
  const tools = useServiceTools(service.slug, true);
  const change = useChangeService();
  const names = tools.data?.tools.map((t) => t.name) ?? [];
  const fieldError = (path: string) => (isPlatformApiError(change.error) ? change.error.details.find((d) => d.path?.startsWith(path))?.message : undefined);
  const placed = isPlatformApiError(change.error) && change.error.details.length > 0 && change.error.details.every((d) => ['roles', 'payload_capture', 'tool_policy'].some((p) => d.path?.startsWith(p)));

  const patch: ServiceChange = {};
  if (!same([...roles].sort(), [...service.roles].sort())) patch.roles = roles;
  if (capture !== service.payload_capture) patch.payload_capture = capture;
  if (!same(allow, service.tool_policy.allow ?? []) || !same(deny, service.tool_policy.deny ?? [])) {
    patch.tool_policy = { ...(allow.length ? { allow } : {}), ...(deny.length ? { deny } : {}) };
  }
  const unchanged = Object.keys(patch).length === 0;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (roles.length === 0 || unchanged) return;
    change.mutate({ id: service.id, change: patch }, { onSuccess: onDone });
  };

  return (
    <form onSubmit={submit} noValidate aria-label={`Settings of ${service.title}`}>
      <Stack gap="sm">
        {change.isError && !placed && (
          <Alert color="red" role="alert" title="Nothing changed">
            {describeError(change.error)}
          </Alert>
        )}
        <Checkbox.Group
          label="Roles that may use it"
          value={roles}
          onChange={(v) => setRoles(v.filter((r): r is Role => r === 'user' || r === 'admin'))}
          error={roles.length === 0 ? 'Choose at least one role (to keep everyone out, disable the service)' : fieldError('roles')}
        >
          <Group mt={4}>
            <Checkbox value="user" label="user" />
            <Checkbox value="admin" label="admin" />
          </Group>
        </Checkbox.Group>
        <Select label="Payload capture" description="What the request log keeps of this service's MCP requests" data={PAYLOAD_CAPTURE_OPTIONS} value={capture} onChange={(v) => v && setCapture(v as PayloadCapture)} error={fieldError('payload_capture')} allowDeselect={false} />
        <TagsInput
          label="Allow list (only these tools)"
          description="Empty: every tool the service offers"
          data={names}
          value={allow}
          onChange={setAllow}
          error={fieldError('tool_policy.allow')}
          clearable
          acceptValueOnBlur
          maxTags={1000}
        />
        <TagsInput label="Deny list (never these tools)" description="Applied after the allow list" data={names} value={deny} onChange={setDeny} error={fieldError('tool_policy.deny')} clearable acceptValueOnBlur maxTags={1000} />
        <Stack gap={4}>
          <Text size="sm" fw={600}>
            Tools the service offers now
          </Text>
          {tools.isPending ? (
            <LoadingState label={`Asking ${service.slug} for its tools…`} />
          ) : tools.isError ? (
            <ErrorState title={`Could not list the tools of ${service.slug}`} error={tools.error} onRetry={() => void tools.refetch()} />
          ) : tools.data.tools.length === 0 ? (
            <Text size="sm" c="dimmed">
              The service lists no tools.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={420}>
              <Table aria-label={`Tools of ${service.title}`} data-testid="service-tools">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Tool</Table.Th>
                    <Table.Th>Users</Table.Th>
                    <Table.Th>Description</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {tools.data.tools.map((t) => {
                    const visible = visibleUnder(allow, deny, t.name);
                    return (
                      <Table.Tr key={t.name} data-tool={t.name}>
                        <Table.Td>
                          <code>{t.name}</code>
                        </Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap', width: '6.5rem' }}>
                          <Badge size="sm" variant="light" color={visible ? 'teal' : 'gray'} data-testid="tool-visibility">
                            {visible ? 'can call' : 'hidden'}
                          </Badge>
                        </Table.Td>
                        <Table.Td>
                          <Text size="xs" lineClamp={2}>
                            {t.description ?? ''}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          {tools.data?.missing_credentials && (
            <Text size="xs" c="dimmed">
              Listed with your own credentials; you have stored none for {tools.data.missing_credentials.join(', ')}.
            </Text>
          )}
        </Stack>
        <FormActions submitLabel="Save" pending={change.isPending} disabled={unchanged || roles.length === 0} onCancel={onCancel} />
      </Stack>
    </form>
  );
}
