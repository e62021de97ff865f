import { Alert, Badge, Button, Code, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useParams } from 'react-router';
import { describeError } from '../../api/errors';
import { Page } from '../../components/page';
import { ErrorState, LoadingState } from '../../components/states';
import { useBuilderService, usePublish, useRollback, useVersionDefinition, useVersions } from './queries';

/** One built service: its versions, publish any of them, roll back in one action. */
export default function BuiltServicePage() {
  const { id = '' } = useParams();
  const service = useBuilderService(id);
  const versions = useVersions(id);
  const publish = usePublish();
  const rollback = useRollback();
  const live = useVersionDefinition(id, versions.data?.live_version ?? null);
  const done = (title: string) => ({
    onSuccess: (r: unknown) => notifications.show({ color: 'teal', title, message: `Version ${(r as { live_version: number }).live_version} is live.` }),
    onError: (e: Error) => notifications.show({ color: 'red', title: 'Nothing changed', message: describeError(e) }),
  });
  if (service.isPending || versions.isPending) return <LoadingState label="Loading the service…" />;
  if (service.isError) return <ErrorState title="Could not load the service" error={service.error} onRetry={() => void service.refetch()} />;
  if (versions.isError) return <ErrorState title="Could not load the versions" error={versions.error} onRetry={() => void versions.refetch()} />;
  const s = service.data;
  const liveVersion = versions.data.live_version;
  const everPublishedOther = versions.data.versions.some((v) => v.version !== liveVersion && v.last_published_at);
  return (
    <Page title={s.title} lead={`MCP URL /mcp/${s.slug}. Publishing makes a version live on every replica from the next call; the request log names the version that served each call.`}>
      {liveVersion === null && (
        <Alert color="yellow" title="Not published">
          Nothing is served until you publish a version.
        </Alert>
      )}
      <Paper withBorder p="md" component="section" aria-labelledby="versions-title">
        <Stack gap="sm">
          <Group justify="space-between">
            <Title order={2} size="h4" id="versions-title">
              Versions
            </Title>
            <Button variant="default" disabled={!everPublishedOther} loading={rollback.isPending} onClick={() => rollback.mutate({ id: s.id, arg: null }, done('Rolled back'))}>
              Roll back
            </Button>
          </Group>
          <Table aria-label="Versions">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Version</Table.Th>
                <Table.Th>Tools</Table.Th>
                <Table.Th>Saved</Table.Th>
                <Table.Th>Last published</Table.Th>
                <Table.Th>
                  <span className="visually-hidden">Actions</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {versions.data.versions.map((v) => (
                <Table.Tr key={v.version} data-version={v.version}>
                  <Table.Td>
                    v{v.version} {v.live && <Badge color="teal" variant="light">Live</Badge>}
                  </Table.Td>
                  <Table.Td>{v.tools}</Table.Td>
                  <Table.Td>{new Date(v.created_at).toLocaleString()}</Table.Td>
                  <Table.Td>{v.last_published_at ? new Date(v.last_published_at).toLocaleString() : 'never'}</Table.Td>
                  <Table.Td>
                    {!v.live && (
                      <Button size="xs" loading={publish.isPending && publish.variables?.arg === v.version} onClick={() => publish.mutate({ id: s.id, arg: v.version }, done('Published'))} aria-label={`Publish version ${v.version}`}>
                        Publish
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      </Paper>
      {live.data && (
        <Paper withBorder p="md" component="section" aria-labelledby="live-title">
          <Stack gap="xs">
            <Title order={2} size="h4" id="live-title">
              Tools of the live version
            </Title>
            {(live.data.definition.openapi.tools as Array<{ name: string; description: string; operation: { method: string; path: string } }>).map((t) => (
              <Text size="sm" key={t.name}>
                <strong>{t.name}</strong> <Code>{`${t.operation.method} ${t.operation.path}`}</Code> {t.description.split('\n')[0]}
              </Text>
            ))}
          </Stack>
        </Paper>
      )}
    </Page>
  );
}
