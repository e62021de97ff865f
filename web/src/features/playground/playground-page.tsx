import { Alert, Anchor, Badge, Code, Grid, Group, Paper, Select, Stack, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { serviceStatus, useServices } from '../services/queries';
import { mcpPath, useMcpConnection, useToolCall } from './mcp-session';
import { ResultView } from './result-view';
import { ToolForm } from './tool-form';
import { fieldsOf } from './tool-fields';

/** The aggregate endpoint's value in the service picker (slugs never start with `*`). */
const EVERY_SERVICE = '*';

/**
 * Call any tool of your services from the browser, through the platform's real MCP endpoint.
 * The choice of service and tool is kept in the address (`?service=&tool=`), never an argument.
 */
export default function PlaygroundPage() {
  const services = useServices();
  const [params, setParams] = useSearchParams();
  const chosen = params.get('service');
  const toolName = params.get('tool');
  const target = chosen === null ? undefined : chosen === EVERY_SERVICE ? null : chosen;
  const connection = useMcpConnection(target);
  const call = useToolCall(connection.data?.client);
  const tool = connection.data?.tools.find((t) => t.name === toolName);
  const fields = useMemo(() => (tool ? fieldsOf(tool.inputSchema) : []), [tool]);
  const service = services.data?.find((s) => s.slug === chosen);

  const choose = (next: Record<string, string | null>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next)) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    call.reset();
    setParams(p, { replace: true });
  };

  return (
    <Page title="Playground" lead="Pick a service and a tool, fill in its arguments and call it. The call goes through the platform's MCP endpoint with your stored credentials, and shows up in Activity.">
      {services.isPending ? (
        <LoadingState label="Loading your services…" />
      ) : services.isError ? (
        <ErrorState title="Could not load your services" error={services.error} onRetry={() => void services.refetch()} />
      ) : services.data.length === 0 ? (
        <EmptyState title="No services to try">No service is enabled for your account yet. Ask the platform operator to enable one.</EmptyState>
      ) : (
        <Grid gap="lg">
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Paper withBorder p="md" radius="md">
              <Stack gap="sm">
                <Select
                  label="Service"
                  placeholder="Pick a service"
                  data={[{ value: EVERY_SERVICE, label: 'Every service (aggregate /mcp)' }, ...services.data.map((s) => ({ value: s.slug, label: `${s.title} (${s.slug})` }))]}
                  value={chosen}
                  onChange={(v) => choose({ service: v, tool: null })}
                  allowDeselect={false}
                />
                {target !== undefined && (
                  <Text size="xs" c="dimmed">
                    Endpoint <Code>{mcpPath(target)}</Code>
                  </Text>
                )}
                {service && (serviceStatus(service) === 'needs_credentials' || serviceStatus(service) === 'needs_oauth') && (
                  <Alert color="yellow" variant="light" title="Not connected yet">
                    <Text size="sm">
                      {service.title} calls fail until you connect it. <Anchor component={Link} to="/services">Connect it on Services</Anchor>.
                    </Text>
                  </Alert>
                )}
                {target === undefined ? (
                  <Text size="sm" c="dimmed">
                    Choose a service to list its tools.
                  </Text>
                ) : connection.isPending ? (
                  <LoadingState label="Connecting and listing tools…" />
                ) : connection.isError ? (
                  <ErrorState title="Could not connect to the MCP endpoint" error={connection.error} onRetry={() => void connection.refetch()} />
                ) : connection.data.tools.length === 0 ? (
                  <EmptyState title="No tools">This service lists no tools for you (its tool policy may hide them).</EmptyState>
                ) : (
                  <>
                    <Select
                      label="Tool"
                      placeholder="Pick a tool"
                      searchable
                      nothingFoundMessage="No tool by that name"
                      data={connection.data.tools.map((t) => ({ value: t.name, label: t.title ? `${t.name} · ${t.title}` : t.name }))}
                      value={tool ? tool.name : null}
                      onChange={(v) => choose({ tool: v })}
                      description={`${connection.data.tools.length} tool${connection.data.tools.length === 1 ? '' : 's'}`}
                    />
                    {tool?.description && (
                      <Text size="sm" data-testid="tool-description">
                        {tool.description}
                      </Text>
                    )}
                  </>
                )}
              </Stack>
            </Paper>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 7 }}>
            {tool ? (
              <Stack gap="md">
                <Paper withBorder p="md" radius="md" component="section" aria-labelledby="tool-heading">
                  <Group gap="xs" mb="sm">
                    <Title order={2} size="h4" id="tool-heading">
                      {tool.name}
                    </Title>
                    {tool.annotations?.readOnlyHint && <Badge variant="light">read-only</Badge>}
                    {tool.annotations?.destructiveHint && <Badge color="red" variant="light">destructive</Badge>}
                  </Group>
                  <ToolForm key={`${chosen}/${tool.name}`} fields={fields} pending={call.isPending} onSubmit={(args) => call.mutate({ name: tool.name, args })} />
                </Paper>
                <section aria-label="Call result" aria-live="polite">
                  {call.isPending && <LoadingState label="Calling the tool…" />}
                  {call.isError && <ErrorState title="The call failed" error={call.error} />}
                  <ResultView outcome={call.data} progress={call.progress} />
                </section>
              </Stack>
            ) : (
              <EmptyState title="No tool chosen">Pick a service and one of its tools; its arguments appear here as a form.</EmptyState>
            )}
          </Grid.Col>
        </Grid>
      )}
    </Page>
  );
}
