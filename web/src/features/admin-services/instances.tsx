import { Badge, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { isPlatformApiError } from '../../api/errors';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { when } from '../../components/format';
import type { Pool } from '../admin-overview/queries';
import { useAddInstance, useRemoveInstance, type AdminService } from './queries';
import { isHttpUrl } from './service-draft';

type Instance = AdminService['instances'][number];
type Circuit = Pool['http'][string][number];

const healthColor: Record<string, string> = { healthy: 'teal', unhealthy: 'red', unknown: 'gray' };
const circuitColor: Record<string, string> = { healthy: 'teal', ejected: 'red', 'half-open': 'yellow' };
const circuitLabel: Record<string, string> = { healthy: 'circuit closed', ejected: 'circuit open', 'half-open': 'half-open' };

/**
 * An http service's instances: the shared health the replicas report, this replica's circuit
 * state (from the router pool), add one, remove one that an admin added (catalog ones are the file's).
 */
export function Instances({ service, circuits }: { service: AdminService; circuits: Circuit[] | undefined }) {
  const [url, setUrl] = useState('');
  const [checked, setChecked] = useState(false);
  const [removing, setRemoving] = useState<Instance>();
  const add = useAddInstance(service.id);
  const remove = useRemoveInstance(service.id);
  const localError = checked && !isHttpUrl(url.trim()) ? 'Must be an http:// or https:// URL' : undefined;
  const apiError = isPlatformApiError(add.error) ? (add.error.fieldMessage('url') ?? add.error.message) : add.error ? String(add.error) : undefined;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setChecked(true);
    if (!isHttpUrl(url.trim())) return;
    add.mutate(url.trim(), {
      onSuccess: () => {
        notifications.show({ color: 'teal', title: 'Instance added', message: `${service.slug} now also balances over ${url.trim()}.` });
        setUrl('');
        setChecked(false);
        add.reset();
      },
    });
  };

  return (
    <Stack gap={6}>
      <Text size="sm" fw={600}>
        Instances
      </Text>
      {service.instances.length === 0 ? (
        <Text size="sm" c="dimmed">
          None registered: the service cannot be called until one is added.
        </Text>
      ) : (
        <Stack gap={4} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {service.instances.map((i) => {
            const circuit = circuits?.find((c) => c.url === i.url);
            return (
              <Group key={i.id} component="li" gap={6} wrap="wrap" data-instance={i.url}>
                <Badge size="sm" variant="light" color={healthColor[i.status] ?? 'gray'} data-testid="instance-health" title={i.last_checked_at ? `Last checked ${when(i.last_checked_at)}` : 'Not checked yet'}>
                  {i.status}
                </Badge>
                {circuit && (
                  <Badge size="sm" variant="light" color={circuitColor[circuit.status] ?? 'gray'} data-testid="instance-circuit" title={circuit.lastError ?? undefined}>
                    {circuitLabel[circuit.status] ?? circuit.status}
                    {circuit.consecutiveFailures ? ` · ${circuit.consecutiveFailures} failed` : ''}
                  </Badge>
                )}
                <Text size="xs" style={{ wordBreak: 'break-all', flex: 1, minWidth: 120 }}>
                  {i.url}
                </Text>
                {i.source === 'catalog' ? (
                  <Text size="xs" c="dimmed">
                    catalog file: remove it there
                  </Text>
                ) : (
                  <Button size="compact-xs" variant="subtle" color="red" onClick={() => setRemoving(i)} aria-label={`Remove instance ${i.url}`}>
                    Remove
                  </Button>
                )}
              </Group>
            );
          })}
        </Stack>
      )}
      <form onSubmit={submit} noValidate aria-label={`Add an instance to ${service.title}`}>
        <Group align="flex-start" gap="xs" wrap="nowrap">
          <TextInput
            label={`New instance URL for ${service.title}`}
            placeholder="https://mcp.example.com/mcp"
            size="xs"
            style={{ flex: 1 }}
            value={url}
            onChange={(e) => {
              setUrl(e.currentTarget.value);
              if (add.error) add.reset();
            }}
            error={localError ?? apiError}
            maxLength={2000}
          />
          <Button type="submit" size="xs" mt={22} loading={add.isPending} variant="light">
            Add
          </Button>
        </Group>
      </form>
      <ConfirmDialog
        opened={!!removing}
        title={`Remove instance ${removing?.url ?? ''}?`}
        confirmLabel="Remove"
        cancelLabel="Keep it"
        pending={remove.isPending}
        error={remove.error}
        errorTitle="The instance was not removed"
        onClose={() => {
          setRemoving(undefined);
          remove.reset();
        }}
        onConfirm={() =>
          removing &&
          remove.mutate(removing.id, {
            onSuccess: () => {
              notifications.show({ color: 'teal', title: 'Instance removed', message: `${service.slug} no longer uses ${removing.url}.` });
              setRemoving(undefined);
            },
          })
        }
      >
        Calls to {service.slug} stop going to this address at once. Calls in flight finish.
      </ConfirmDialog>
    </Stack>
  );
}
