import { Alert, Button, Code, Group, Paper, SegmentedControl, Select, Stack, Tabs, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { describeError } from '../../api/errors';
import { CopyValueButton } from '../../components/copy-field';
import { Page } from '../../components/page';
import { ErrorState } from '../../components/states';
import { useFreshKeys } from '../api-keys/fresh-key';
import { useCreateApiKey } from '../api-keys/queries';
import { useServices } from '../services/queries';
import { KEY_PLACEHOLDER, snippets } from './snippets';

export default function ConnectPage() {
  const services = useServices();
  const fresh = useFreshKeys();
  const create = useCreateApiKey();
  const [target, setTarget] = useState<'all' | 'one'>('all');
  const [slug, setSlug] = useState<string | null>(null);
  const [name, setName] = useState('mcp-platform');
  const [keyId, setKeyId] = useState<string | null>(null);

  const chosen = fresh.find((k) => k.id === keyId) ?? fresh[0];
  const origin = window.location.origin;
  const service = target === 'one' ? slug : null;
  const url = service ? `${origin}/mcp/${service}` : `${origin}/mcp`;
  const apiKey = chosen?.key ?? KEY_PLACEHOLDER;
  const serverName = name.trim() || 'mcp-platform';
  const list = snippets({ url, name: serverName, apiKey });

  const makeKey = () =>
    create.mutate(
      { name: `${serverName} client`, expires_at: new Date(Date.now() + 90 * 86_400_000).toISOString(), services: service ? [service] : null },
      { onSuccess: (k) => setKeyId(k.id) },
    );

  return (
    <Page title="Connect a client" lead="Paste one of these into your MCP client. It reaches your services through the platform, with your stored credentials.">
      <Paper withBorder p="lg" radius="md">
        <Stack gap="sm">
          <Text fw={600} id="target-label">
            What the client reaches
          </Text>
          <SegmentedControl
            aria-labelledby="target-label"
            value={target}
            onChange={(v) => setTarget(v === 'one' ? 'one' : 'all')}
            data={[
              { value: 'all', label: 'Every connected service (/mcp)' },
              { value: 'one', label: 'One service' },
            ]}
          />
          {target === 'one' && (
            <Select
              label="Service"
              placeholder="Pick a service"
              data={(services.data ?? []).map((s) => ({ value: s.slug, label: `${s.title} (${s.slug})` }))}
              value={slug}
              onChange={setSlug}
              disabled={services.isPending}
              error={services.isError ? describeError(services.error) : undefined}
            />
          )}
          <TextInput label="Server name in the client" value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={64} />
          <Group gap="xs" align="center" wrap="nowrap">
            <Text size="sm" fw={500}>
              URL
            </Text>
            <Code data-testid="mcp-url">{url}</Code>
            <CopyValueButton value={url} label="Copy the URL" compact />
          </Group>
          {chosen ? (
            <Group gap="xs" align="center">
              <Text size="sm">
                Filled in with the key “{chosen.name}” made in this tab (it is not kept after you leave or reload).
              </Text>
              {fresh.length > 1 && (
                <Select
                  aria-label="Key to fill in"
                  data={fresh.map((k) => ({ value: k.id, label: k.name }))}
                  value={chosen.id}
                  onChange={setKeyId}
                  allowDeselect={false}
                  size="xs"
                />
              )}
              <CopyValueButton value={chosen.key} label="Copy the API key" compact />
            </Group>
          ) : (
            <Alert color="blue" title="No key filled in">
              <Stack gap="xs" align="flex-start">
                <Text size="sm">
                  Keys are shown only when they are made. Make one for this client here{service ? ` (scoped to ${service})` : ''}, or use one you saved from{' '}
                  <Link to="/api-keys">API keys</Link>.
                </Text>
                <Button size="xs" onClick={makeKey} loading={create.isPending} disabled={target === 'one' && !slug}>
                  Create a key for this client
                </Button>
              </Stack>
            </Alert>
          )}
          {create.isError && <ErrorState title="The key was not created" error={create.error} />}
        </Stack>
      </Paper>

      <Tabs defaultValue="claude-desktop" keepMounted={false}>
        <Tabs.List aria-label="Client">
          {list.map((s) => (
            <Tabs.Tab key={s.id} value={s.id}>
              {s.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {list.map((s) => (
          <Tabs.Panel key={s.id} value={s.id} pt="md">
            <Stack gap="xs">
              <Group justify="space-between" align="flex-start" wrap="nowrap">
                <Text size="sm" c="dimmed">
                  {s.where}
                </Text>
                <CopyValueButton value={s.code} label={`Copy the ${s.label} configuration`} />
              </Group>
              <Code block data-testid={`snippet-${s.id}`} data-language={s.language}>
                {s.code}
              </Code>
            </Stack>
          </Tabs.Panel>
        ))}
      </Tabs>
    </Page>
  );
}
