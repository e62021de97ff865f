import { Alert, Badge, Code, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import type { ContentBlock } from '@modelcontextprotocol/client';
import { ms } from '../../components/format';
import type { CallOutcome, ProgressEvent } from './mcp-session';

const json = (v: unknown) => JSON.stringify(v, null, 2);

/** What a call answered: content blocks, structured content, isError or the JSON-RPC error, progress and latency. */
export function ResultView({ outcome, progress }: { outcome: CallOutcome | undefined; progress: ProgressEvent[] }) {
  return (
    <Stack gap="sm" data-testid="call-outcome">
      {progress.length > 0 && (
        <Paper withBorder p="sm" radius="md">
          <Title order={3} size="h5" mb={4}>
            Progress ({progress.length} notification{progress.length === 1 ? '' : 's'})
          </Title>
          <List size="sm" data-testid="progress-list">
            {progress.map((p, i) => (
              <List.Item key={i}>
                {p.progress}
                {p.total !== undefined ? ` of ${p.total}` : ''}
                {p.message ? ` · ${p.message}` : ''} <Text span c="dimmed" size="xs">at {ms(p.at)}</Text>
              </List.Item>
            ))}
          </List>
        </Paper>
      )}
      {outcome?.kind === 'rpc_error' && (
        <Alert color="red" variant="light" title={`JSON-RPC error ${outcome.code}`} role="alert">
          <Stack gap={4}>
            <Text size="sm" data-testid="rpc-error-message">
              {outcome.message}
            </Text>
            {outcome.data !== undefined && <Code block>{json(outcome.data)}</Code>}
            <Text size="xs">Answered in {ms(outcome.latencyMs)}.</Text>
          </Stack>
        </Alert>
      )}
      {outcome?.kind === 'result' && (
        <Paper withBorder p="sm" radius="md">
          <Stack gap="xs">
            <Group gap="xs">
              <Title order={3} size="h5">
                Result
              </Title>
              {outcome.result.isError ? (
                <Badge color="red" variant="light" data-testid="result-status">
                  isError: the tool reported an error
                </Badge>
              ) : (
                <Badge color="teal" variant="light" data-testid="result-status">
                  Success
                </Badge>
              )}
              <Badge color="gray" variant="light" data-testid="latency">
                {ms(outcome.latencyMs)}
              </Badge>
            </Group>
            {(outcome.result.content ?? []).length === 0 && (
              <Text size="sm" c="dimmed">
                No content blocks.
              </Text>
            )}
            {(outcome.result.content ?? []).map((block, i) => (
              <ContentBlockView key={i} block={block} />
            ))}
            {outcome.result.structuredContent !== undefined && (
              <div>
                <Text size="sm" fw={600}>
                  structuredContent
                </Text>
                <Code block data-testid="structured-content">
                  {json(outcome.result.structuredContent)}
                </Code>
              </div>
            )}
          </Stack>
        </Paper>
      )}
    </Stack>
  );
}

/** Text is shown as text; other blocks (images, audio, resources) by their description, never loaded: the page's CSP allows no outside source. */
function ContentBlockView({ block }: { block: ContentBlock }) {
  switch (block.type) {
    case 'text':
      return (
        <Code block data-testid="content-text" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
          {block.text}
        </Code>
      );
    case 'image':
    case 'audio':
      return (
        <Text size="sm">
          {block.type} content ({block.mimeType}, {Math.round((block.data.length * 3) / 4)} bytes, base64)
        </Text>
      );
    case 'resource_link':
      return (
        <Text size="sm">
          Resource link: <Code>{block.uri}</Code> {block.name}
        </Text>
      );
    default:
      return <Code block>{json(block)}</Code>;
  }
}
