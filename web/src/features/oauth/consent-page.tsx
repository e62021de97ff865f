import { Alert, Button, Card, Center, Code, Group, List, Stack, Text, Title } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { useParams } from 'react-router';
import { describeError } from '../../api/errors';
import { ErrorState, LoadingState } from '../../components/states';
import { clientLabel, useConsentDecision, useConsentDetails, type ConsentDetails } from './queries';

/**
 * The consent step of the platform's OAuth server (/oauth/authorize sends the browser here): names
 * the client, where the answer goes and what it gets. A consent already given to this client for
 * this resource is remembered: the page continues without asking again.
 */
export default function ConsentPage() {
  const { uid = '' } = useParams();
  const details = useConsentDetails(uid);
  const decision = useConsentDecision(uid);
  const decide = (d: ConsentDetails, approve: boolean) =>
    decision.mutate({ approve, csrf_token: d.csrf_token }, { onSuccess: (redirectTo) => window.location.assign(redirectTo) });
  const autoApproved = useRef(false);
  useEffect(() => {
    if (details.data?.remembered && !autoApproved.current) {
      autoApproved.current = true;
      decide(details.data, true);
    }
  });
  useEffect(() => {
    document.title = 'Allow access · MCP Online Platform';
  }, []);

  return (
    <Center mih="100vh" p="md">
      <Card withBorder shadow="sm" radius="md" p="xl" maw={520} w="100%">
        {details.isPending ? (
          <LoadingState label="Loading the request…" />
        ) : details.isError ? (
          <ErrorState title="This sign-in request cannot continue" error={details.error} />
        ) : details.data.remembered ? (
          <LoadingState label={`Continuing to ${clientLabel(details.data.client)}…`} />
        ) : (
          <Stack>
            <Title order={1} size="h3">
              Allow {clientLabel(details.data.client)} to use the platform as you?
            </Title>
            <Text size="sm">
              It asks for access to <Code>{new URL(details.data.resource).pathname}</Code>: it can list and call the tools of{' '}
              {details.data.resource.endsWith('/mcp') ? 'every service you use' : 'this service'} with your credentials, until you
              disconnect it under Connected apps.
            </Text>
            <List size="sm" spacing={4}>
              <List.Item>
                After you answer, you go back to <strong>{details.data.redirect_host}</strong>.
              </List.Item>
              <List.Item>
                Client: <Code>{details.data.client.client_id}</Code>
                {details.data.client.metadata_document ? ' (identified by its published metadata document)' : ' (registered with this platform)'}
              </List.Item>
            </List>
            {decision.isError && <Alert color="red" title="That did not work">{describeError(decision.error)}</Alert>}
            <Group justify="flex-end">
              <Button variant="default" loading={decision.isPending} onClick={() => decide(details.data, false)}>
                Deny
              </Button>
              <Button loading={decision.isPending} onClick={() => decide(details.data, true)}>
                Allow
              </Button>
            </Group>
          </Stack>
        )}
      </Card>
    </Center>
  );
}
