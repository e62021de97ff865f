import { Badge, Button, Group, Paper, SimpleGrid, Stack, Text, Title, Anchor } from '@mantine/core';
import { Link } from 'react-router';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { useBuilderServices } from './queries';

/** The services this person built (a builder user) or every builder service (an admin). */
export default function BuilderPage() {
  const services = useBuilderServices();
  const newButton = (
    <Button component={Link} to="/builder/new">
      New service from an API
    </Button>
  );
  return (
    <Page title="Builder" lead="Turn a REST API into an MCP service without code: import its OpenAPI document, pick operations, try them, publish. Every save is a version; roll back in one click.">
      <Group>{newButton}</Group>
      {services.isPending ? (
        <LoadingState label="Loading your services…" />
      ) : services.isError ? (
        <ErrorState title="Could not load the builder's services" error={services.error} onRetry={() => void services.refetch()} />
      ) : services.data.length === 0 ? (
        <EmptyState title="No services built yet" action={newButton}>
          Import an OpenAPI or Swagger document (a file or a URL) to start.
        </EmptyState>
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
          {services.data.map((s) => (
            <Paper key={s.id} withBorder p="md" component="section" aria-labelledby={`built-${s.slug}`} data-built-service={s.slug}>
              <Stack gap={6}>
                <Group justify="space-between" wrap="nowrap">
                  <Title order={2} size="h4" id={`built-${s.slug}`}>
                    <Anchor component={Link} to={`/builder/${s.id}`}>
                      {s.title}
                    </Anchor>
                  </Title>
                  {s.live_version === null ? <Badge color="gray">Not published</Badge> : <Badge color="teal" variant="light">Live: v{s.live_version}</Badge>}
                </Group>
                <Text size="xs" c="dimmed">
                  /mcp/{s.slug} · {s.tools} tools · latest version v{s.latest_version ?? '–'}
                </Text>
                {s.description && (
                  <Text size="sm" lineClamp={2}>
                    {s.description}
                  </Text>
                )}
              </Stack>
            </Paper>
          ))}
        </SimpleGrid>
      )}
    </Page>
  );
}
