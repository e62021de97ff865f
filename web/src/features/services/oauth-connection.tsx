import { Badge, Button, Group, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ErrorState } from '../../components/states';
import { DisconnectDialog } from './disconnect-dialog';
import { useOAuthDisconnect, useOAuthStart, type Service } from './queries';

/** A service that connects by OAuth at its provider: its state, Connect (to the provider and back) and Disconnect. */
export function OAuthConnection({ service, connected }: { service: Service; connected: boolean }) {
  const start = useOAuthStart(service.slug);
  const disconnect = useOAuthDisconnect(service.slug);
  const [confirming, setConfirming] = useState(false);
  return (
    <Stack gap="xs" data-testid="oauth-connection">
      <Group gap="xs">
        <Text size="sm" fw={500}>
          Account at the provider:
        </Text>
        <Badge color={connected ? 'teal' : 'gray'} variant="light" data-testid="oauth-status">
          {connected ? 'Connected' : 'Not connected'}
        </Badge>
      </Group>
      {start.isError && <ErrorState title="Could not start connecting" error={start.error} />}
      <Group>
        {connected ? (
          <Button size="sm" color="red" variant="subtle" onClick={() => setConfirming(true)}>
            Disconnect {service.title}
          </Button>
        ) : (
          <Button size="sm" loading={start.isPending} onClick={() => start.mutate()}>
            Connect {service.title}
          </Button>
        )}
      </Group>
      <Text size="xs" c="dimmed">
        {connected
          ? 'The platform holds a token for your account there, sealed, and uses it for your calls.'
          : `You sign in at ${service.title}'s own site and come back here; the platform never sees your password there.`}
      </Text>

      <DisconnectDialog
        service={service}
        opened={confirming}
        onClose={() => setConfirming(false)}
        disconnect={disconnect}
        effect={`The platform revokes its token at ${service.title} and deletes it. Calls to ${service.title} fail until you connect again.`}
        doneMessage="Its token was revoked and deleted."
      />
    </Stack>
  );
}

/** After the provider sends the browser back (`/services?connected=<slug>`): say so once and tidy the address. */
export function useConnectedNotice(services: Service[] | undefined) {
  const [params, setParams] = useSearchParams();
  const slug = params.get('connected');
  useEffect(() => {
    if (!slug || !services) return;
    const title = services.find((s) => s.slug === slug)?.title ?? slug;
    notifications.show({ color: 'teal', title: `${title} connected`, message: 'Your account there is connected; its tools now work for you.' });
    const next = new URLSearchParams(params);
    next.delete('connected');
    setParams(next, { replace: true });
  }, [slug, services, params, setParams]);
}
