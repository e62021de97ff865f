import { Alert, Badge, Button, Group, Modal, Paper, Stack, Switch, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { describeError } from '../../api/errors';
import { ConfirmDialog } from '../../components/confirm-dialog';
import type { Pool } from '../admin-overview/queries';
import { Instances } from './instances';
import { useChangeService, useRemoveService, type AdminService } from './queries';
import { ServiceDefinitionForm } from './service-definition-form';
import { ServiceSettingsForm } from './service-settings-form';

const CAPTURE: Record<string, string> = { off: 'off', metadata: 'metadata only', full: 'full (redacted bodies)' };

/** The kind-specific settings as one line each (read-only here). */
function definitionLines(s: AdminService): Array<[string, string]> {
  const c = s.config as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const out: Array<[string, string]> = [];
  if (s.kind === 'stdio') {
    const pkg = c.package as { name?: string; script?: string } | undefined;
    out.push(['Runs', pkg ? `${pkg.name}/${pkg.script} (npm package, with the platform's Node)` : str(c.command)]);
    const args = (c.args as string[] | undefined) ?? [];
    if (args.length) out.push(['Arguments', args.join(' ')]);
    const env = Object.keys((c.env as Record<string, string> | undefined) ?? {});
    if (env.length) out.push(['Environment', env.join(', ')]);
  } else if (s.kind === 'http') {
    out.push(['Transport', str(c.transport ?? 'streamable-http') + (c.timeout_ms ? `, timeout ${str(c.timeout_ms)} ms` : '')]);
    if (c.oauth) out.push(['Users connect', 'by OAuth to the provider']);
  } else if (s.kind === 'builtin') {
    out.push(['Server', `${str(c.server)} (in the platform)`]);
  } else if (s.kind === 'openapi') {
    out.push(['REST API', `${str(c.base_url)}, ${((c.tools as unknown[] | undefined) ?? []).length} operations`]);
  }
  const fields = s.credential_schema.map((f) => {
    const inject = f.inject as Record<string, string>;
    const target = inject.env ? `env ${inject.env}` : inject.header ? `header ${inject.header}` : `context ${inject.context ?? ''}`;
    return `${f.name} → ${target}${f.required ? '' : ' (optional)'}${f.secret ? '' : ' (not secret)'}`;
  });
  out.push(['Credential fields', fields.length ? fields.join('; ') : 'none']);
  return out;
}

export function ServiceCard({ service: s, circuits }: { service: AdminService; circuits: Pool['http'][string] | undefined }) {
  const change = useChangeService();
  const remove = useRemoveService();
  // One dialog at a time: the admin-owned settings, or (admin-registered services) the definition.
  const [dialog, setDialog] = useState<{ kind: 'settings' | 'definition'; open: boolean }>({ kind: 'settings', open: false });
  const closeDialog = () => setDialog((d) => ({ ...d, open: false }));
  const DialogForm = dialog.kind === 'settings' ? ServiceSettingsForm : ServiceDefinitionForm;
  const [removing, setRemoving] = useState(false);
  const toggle = (enabled: boolean) =>
    change.mutate(
      { id: s.id, change: { enabled } },
      {
        onSuccess: () => notifications.show({ color: 'teal', title: enabled ? 'Service enabled' : 'Service disabled', message: `${s.title} (${s.slug}) is ${enabled ? 'on' : 'off'} for its roles.` }),
        onError: (e) => notifications.show({ color: 'red', title: 'Nothing changed', message: describeError(e) }),
      },
    );
  const policy = [s.tool_policy.allow?.length ? `only ${s.tool_policy.allow.join(', ')}` : '', s.tool_policy.deny?.length ? `never ${s.tool_policy.deny.join(', ')}` : ''].filter(Boolean).join('; ');
  const catalog = s.source === 'catalog';
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={`svc-${s.slug}`} data-admin-service={s.slug}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <div>
            <Title order={2} size="h4" id={`svc-${s.slug}`}>
              {s.title}
            </Title>
            <Text size="xs" c="dimmed">
              {s.slug} · {s.kind} · {catalog ? 'catalog file' : 'registered by an admin'}
            </Text>
          </div>
          <Switch label="Enabled" checked={s.enabled} disabled={change.isPending} onChange={(e) => toggle(e.currentTarget.checked)} aria-label={`Enable ${s.title}`} />
        </Group>
        {s.description && <Text size="sm">{s.description}</Text>}
        {s.problem && (
          <Alert color="red" title="Cannot be used" role="alert">
            {s.problem}
          </Alert>
        )}
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Text size="sm" data-testid="service-settings">
            <strong>Roles:</strong> {s.roles.join(', ')} · <strong>Tools:</strong> {policy || 'all'} · <strong>Payload capture:</strong> {CAPTURE[s.payload_capture] ?? s.payload_capture}
          </Text>
          <Button size="xs" variant="light" onClick={() => setDialog({ kind: 'settings', open: true })} aria-label={`Settings of ${s.title}`} style={{ flexShrink: 0 }}>
            Settings
          </Button>
        </Group>
        <Stack gap={2} component="dl" m={0} data-testid="service-definition">
          {definitionLines(s).map(([term, value]) => (
            <Group key={term} gap={6} wrap="nowrap" align="baseline">
              <Text component="dt" size="xs" fw={600} style={{ whiteSpace: 'nowrap' }}>
                {term}
              </Text>
              <Text component="dd" size="xs" m={0} style={{ wordBreak: 'break-word' }}>
                {value}
              </Text>
            </Group>
          ))}
        </Stack>
        {!catalog && (
          <Group justify="flex-end">
            <Button size="xs" variant="light" onClick={() => setDialog({ kind: 'definition', open: true })} aria-label={`Edit title, description and credential fields of ${s.title}`}>
              Edit definition
            </Button>
          </Group>
        )}
        {catalog ? (
          <Text size="xs" c="dimmed">
            <Badge component="span" size="xs" variant="outline" color="gray" mr={4}>
              read-only
            </Badge>
            Defined in the catalog file (CATALOG_FILE): its title, description, settings, credential fields and catalog instances change there, and the file is applied again on every start. Enabled, roles, tool policy and payload capture belong to admins and are kept.
          </Text>
        ) : null}
        {s.kind === 'http' && <Instances service={s} circuits={circuits} />}
        {!catalog && (
          <Group justify="flex-end">
            <Button size="xs" variant="subtle" color="red" onClick={() => setRemoving(true)} aria-label={`Remove ${s.title}`}>
              Remove service
            </Button>
          </Group>
        )}
      </Stack>
      <Modal opened={dialog.open} onClose={closeDialog} title={`${dialog.kind === 'settings' ? 'Settings' : 'Definition'} of ${s.title}`} size="lg" centered>
        {dialog.open && (
          <DialogForm
            service={s}
            onCancel={closeDialog}
            onDone={() => {
              closeDialog();
              notifications.show({ color: 'teal', title: dialog.kind === 'settings' ? 'Settings saved' : 'Definition saved', message: `${s.title} (${s.slug}) changed; the audit trail has it.` });
            }}
          />
        )}
      </Modal>
      <ConfirmDialog
        opened={removing}
        title={`Remove ${s.title}?`}
        confirmLabel="Remove"
        cancelLabel="Keep it"
        pending={remove.isPending}
        error={remove.error}
        errorTitle="The service was not removed"
        onClose={() => {
          setRemoving(false);
          remove.reset();
        }}
        onConfirm={() =>
          remove.mutate(s.id, {
            onSuccess: () => {
              setRemoving(false);
              notifications.show({ color: 'teal', title: 'Service removed', message: `${s.slug} is gone, with every user's credentials for it.` });
            },
          })
        }
      >
        /mcp/{s.slug} stops answering at once, and every user's stored credentials for it are deleted. This cannot be undone.
      </ConfirmDialog>
    </Paper>
  );
}
