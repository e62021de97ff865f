import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  FileInput,
  Group,
  Pagination,
  Paper,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { Page } from '../../components/page';
import { EmptyState, ErrorState } from '../../components/states';
import { applyEdit, argumentsOf, definitionOf, slugOf, type ToolEdit } from './draft';
import { useCreateService, useImportDocument, useTryTool, type DocumentSource, type ImportedTool, type ImportResult, type ToolResult } from './queries';

const PAGE_SIZE = 25;

/** Import → pick → edit → try → save (and publish): docs/builder.md, "The builder pages". */
export default function NewServicePage() {
  const importer = useImportDocument();
  const [result, setResult] = useState<ImportResult | null>(null);
  return (
    <Page title="New service from an API" lead="Import an OpenAPI or Swagger document, pick the operations that become tools, edit them, try one against the real API with your own credentials, then save and publish.">
      <ImportStep
        pending={importer.isPending}
        onImport={(source) =>
          importer.mutate(source, {
            onSuccess: (r) => {
              setResult(r);
              notifications.show({ color: 'teal', title: 'Document imported', message: `${r.tools.length} tools proposed, ${r.skipped.length} operations skipped.` });
            },
          })
        }
      />
      {importer.isError && <ErrorState title="The document could not be imported" error={importer.error} />}
      {result && <PickStep key={`${result.title}-${result.tools.length}`} result={result} />}
    </Page>
  );
}

function ImportStep({ pending, onImport }: { pending: boolean; onImport: (source: DocumentSource) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [url, setUrl] = useState('');
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="import-title">
      <Title order={2} size="h4" id="import-title" mb="sm">
        1. Import a document
      </Title>
      <Tabs defaultValue="upload">
        <Tabs.List>
          <Tabs.Tab value="upload">Upload a file</Tabs.Tab>
          <Tabs.Tab value="url">From a URL</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="upload" pt="sm">
          <Group align="flex-end">
            <FileInput label="OpenAPI or Swagger document (JSON or YAML)" placeholder="Choose a file" accept=".json,.yaml,.yml,application/json,application/yaml" value={file} onChange={setFile} w={360} />
            <Button disabled={!file} loading={pending} onClick={() => void file?.text().then((text) => onImport({ text }))}>
              Import the file
            </Button>
          </Group>
        </Tabs.Panel>
        <Tabs.Panel value="url" pt="sm">
          <Group align="flex-end">
            <TextInput label="Document URL" description="Fetched by the platform (public addresses only)" placeholder="https://api.example.com/openapi.json" value={url} onChange={(e) => setUrl(e.currentTarget.value)} w={420} />
            <Button disabled={!/^https?:\/\//.test(url)} loading={pending} onClick={() => onImport({ url })}>
              Import from the URL
            </Button>
          </Group>
        </Tabs.Panel>
      </Tabs>
    </Paper>
  );
}

function PickStep({ result }: { result: ImportResult }) {
  const navigate = useNavigate();
  const create = useCreateService();
  const [search, setSearch] = useState('');
  const [tag, setTag] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(result.tools.length <= 20 ? result.tools.map((t) => t.name) : []));
  const [edits, setEdits] = useState<Map<string, ToolEdit>>(new Map());
  const [editing, setEditing] = useState<string | null>(null);
  const [title, setTitle] = useState(result.title || 'My API');
  const [slug, setSlug] = useState(slugOf(result.title || 'my-api'));
  const [baseUrl, setBaseUrl] = useState(result.base_url ?? '');

  const tags = useMemo(() => [...new Set(Object.values(result.tags).flat())].sort(), [result]);
  const matching = useMemo(() => {
    const q = search.trim().toLowerCase();
    return result.tools.filter(
      (t) =>
        (!tag || (result.tags[t.name] ?? []).includes(tag)) &&
        (!q || t.name.toLowerCase().includes(q) || t.description.toLowerCase().includes(q) || t.operation.path.toLowerCase().includes(q)),
    );
  }, [result, search, tag]);
  const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
  const shown = matching.slice((Math.min(page, pages) - 1) * PAGE_SIZE, Math.min(page, pages) * PAGE_SIZE);
  const picked = result.tools.filter((t) => chosen.has(t.name));
  const toggle = (name: string, on: boolean) =>
    setChosen((prev) => {
      const next = new Set(prev);
      if (on) next.add(name);
      else next.delete(name);
      return next;
    });
  const definition = () => definitionOf(result, baseUrl, picked, edits);
  const save = (publish: boolean) =>
    create.mutate(
      { slug, title, description: result.description.slice(0, 4000), publish, ...definition() },
      {
        onSuccess: (s) => {
          notifications.show({ color: 'teal', title: publish ? 'Saved and published' : 'Saved as version 1', message: `${s.title} (${s.slug}) has ${picked.length} tools.` });
          navigate(`/builder/${s.id}`);
        },
      },
    );
  const editingTool = editing ? result.tools.find((t) => t.name === editing) : undefined;

  return (
    <>
      <Paper withBorder p="md" component="section" aria-labelledby="pick-title">
        <Stack gap="sm">
          <Title order={2} size="h4" id="pick-title">
            2. Pick operations ({chosen.size} of {result.tools.length} chosen)
          </Title>
          {result.skipped.length > 0 && (
            <Alert color="yellow" title={`${result.skipped.length} operations cannot be tools`}>
              {result.skipped.slice(0, 5).map((s) => (
                <Text size="sm" key={s.operation}>
                  <Code>{s.operation}</Code>: {s.reason}
                </Text>
              ))}
            </Alert>
          )}
          <Group align="flex-end">
            <TextInput label="Search" placeholder="Name, description or path" value={search} onChange={(e) => { setSearch(e.currentTarget.value); setPage(1); }} w={300} />
            <Select label="Tag" placeholder={tags.length ? 'All tags' : 'The document has no tags'} data={tags} value={tag} onChange={(v) => { setTag(v); setPage(1); }} clearable clearButtonProps={{ 'aria-label': 'Show all tags' }} searchable disabled={!tags.length} w={220} />
            <Button variant="light" onClick={() => setChosen((prev) => new Set([...prev, ...matching.map((t) => t.name)]))} disabled={!matching.length}>
              Choose all {matching.length} matching
            </Button>
            <Button variant="subtle" onClick={() => setChosen(new Set())} disabled={!chosen.size}>
              Clear
            </Button>
          </Group>
          {matching.length === 0 ? (
            <EmptyState title="No operation matches">Change the search or the tag.</EmptyState>
          ) : (
            <Table striped highlightOnHover aria-label="Operations">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={40}>
                    <span className="visually-hidden">Chosen</span>
                  </Table.Th>
                  <Table.Th>Tool</Table.Th>
                  <Table.Th>Operation</Table.Th>
                  <Table.Th>Tags</Table.Th>
                  <Table.Th>
                    <span className="visually-hidden">Edit</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {shown.map((t) => (
                  <Table.Tr key={t.name} data-tool={t.name}>
                    <Table.Td>
                      <Checkbox aria-label={`Choose ${t.name}`} checked={chosen.has(t.name)} onChange={(e) => toggle(t.name, e.currentTarget.checked)} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" fw={600}>
                        {edits.get(t.name)?.name ?? t.name}
                      </Text>
                      <Text size="xs" c="dimmed" lineClamp={1}>
                        {edits.get(t.name)?.description ?? t.description}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Code>
                        {t.operation.method} {t.operation.path}
                      </Code>
                    </Table.Td>
                    <Table.Td>
                      {(result.tags[t.name] ?? []).map((x) => (
                        <Badge key={x} variant="light" mr={4}>
                          {x}
                        </Badge>
                      ))}
                    </Table.Td>
                    <Table.Td>
                      <Button size="xs" variant="subtle" onClick={() => setEditing(t.name)} aria-label={`Edit ${t.name}`}>
                        Edit
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {pages > 1 && <Pagination total={pages} value={Math.min(page, pages)} onChange={setPage} aria-label="Pages of operations" getControlProps={(c) => ({ 'aria-label': c === 'next' ? 'Next page' : c === 'previous' ? 'Previous page' : c })} />}
        </Stack>
      </Paper>

      {editingTool && (
        <ToolEditor
          key={editingTool.name}
          tool={editingTool}
          edit={edits.get(editingTool.name)}
          onSave={(edit) => {
            setEdits((prev) => new Map(prev).set(editingTool.name, edit));
            setChosen((prev) => new Set(prev).add(editingTool.name));
            setEditing(null);
          }}
          onCancel={() => setEditing(null)}
        />
      )}

      <TryPanel result={result} tools={picked.map((t) => applyEdit(t, edits.get(t.name)))} definition={definition} />

      <Paper withBorder p="md" component="section" aria-labelledby="save-title">
        <Stack gap="sm">
          <Title order={2} size="h4" id="save-title">
            4. Save and publish
          </Title>
          <SimpleGrid cols={{ base: 1, md: 3 }}>
            <TextInput label="Title" value={title} onChange={(e) => setTitle(e.currentTarget.value)} required />
            <TextInput label="Slug" description="Its MCP URL is /mcp/{slug}" value={slug} onChange={(e) => setSlug(e.currentTarget.value)} required />
            <TextInput label="Base URL of the API" value={baseUrl} onChange={(e) => setBaseUrl(e.currentTarget.value)} required />
          </SimpleGrid>
          {create.isError && <ErrorState title="Not saved" error={create.error} />}
          <Group>
            <Button variant="default" disabled={!picked.length || !baseUrl} loading={create.isPending} onClick={() => save(false)}>
              Save as version 1
            </Button>
            <Button disabled={!picked.length || !baseUrl} loading={create.isPending} onClick={() => save(true)}>
              Save and publish
            </Button>
          </Group>
        </Stack>
      </Paper>
    </>
  );
}

function ToolEditor({ tool, edit, onSave, onCancel }: { tool: ImportedTool; edit: ToolEdit | undefined; onSave: (edit: ToolEdit) => void; onCancel: () => void }) {
  const args = argumentsOf(tool);
  const [name, setName] = useState(edit?.name ?? tool.name);
  const [description, setDescription] = useState(edit?.description ?? tool.description);
  const [argDescriptions, setArgDescriptions] = useState<Record<string, string>>(edit?.args ?? Object.fromEntries(args.map((a) => [a.name, a.description])));
  const validName = /^[A-Za-z0-9_-]{1,64}$/.test(name);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="edit-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="edit-title">
          Edit {tool.name}
        </Title>
        <TextInput label="Tool name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={validName ? undefined : '1–64 characters of A–Z, a–z, 0–9, _ and -'} />
        <Textarea label="Description" autosize minRows={2} maxRows={8} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
        {args.map((a) => (
          <TextInput
            key={a.name}
            label={`Argument ${a.name} (${a.type})`}
            value={argDescriptions[a.name] ?? ''}
            onChange={(e) => {
              const value = e.currentTarget.value;
              setArgDescriptions((prev) => ({ ...prev, [a.name]: value }));
            }}
          />
        ))}
        <Group>
          <Button disabled={!validName} onClick={() => onSave({ name, description, args: argDescriptions })}>
            Keep these changes
          </Button>
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function TryPanel({ result, tools, definition }: { result: ImportResult; tools: ImportedTool[]; definition: () => ReturnType<typeof definitionOf> }) {
  const tryTool = useTryTool();
  const [tool, setTool] = useState<string | null>(null);
  const [args, setArgs] = useState('{}');
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const current = tools.find((t) => t.name === tool);
  let parsed: Record<string, unknown> | undefined;
  try {
    const v: unknown = JSON.parse(args);
    parsed = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    parsed = undefined;
  }
  const run = () => {
    if (!current || !parsed) return;
    // Keyed as `openapi.auth` names them: the context each credential field injects into.
    const credentials = Object.fromEntries(
      result.credentials.flatMap((c) => {
        const field = c as { name: string; inject?: { context?: string } };
        const value = secrets[field.name] ?? '';
        return value ? [[field.inject?.context ?? field.name, value]] : [];
      }),
    );
    tryTool.mutate({ openapi: definition().openapi, tool: current.name, arguments: parsed, credentials });
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="try-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="try-title">
          3. Try a tool against the real API
        </Title>
        <Text size="sm" c="dimmed">
          Your credentials are sent with this one call and never stored. The call goes through the platform, with the same address checks and limits as a published tool.
        </Text>
        {tools.length === 0 ? (
          <Text size="sm">Choose at least one operation first.</Text>
        ) : (
          <>
            <Select label="Tool to try" data={tools.map((t) => t.name)} value={tool} onChange={setTool} searchable w={360} />
            {current && (
              <Text size="xs" c="dimmed">
                Arguments: {argumentsOf(current).map((a) => a.name).join(', ') || 'none'}
              </Text>
            )}
            <Textarea label="Arguments (JSON)" autosize minRows={2} value={args} onChange={(e) => setArgs(e.currentTarget.value)} error={parsed ? undefined : 'Must be a JSON object'} styles={{ input: { fontFamily: 'monospace' } }} />
            {result.credentials.length > 0 && (
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                {result.credentials.map((c) => {
                  const field = c as { name: string; title?: string; secret?: boolean };
                  const Input = field.secret === false ? TextInput : PasswordInput;
                  return <Input key={field.name} label={`Your ${field.title ?? field.name}`} value={secrets[field.name] ?? ''} onChange={(e) => { const v = e.currentTarget.value; setSecrets((prev) => ({ ...prev, [field.name]: v })); }} autoComplete="off" />;
                })}
              </SimpleGrid>
            )}
            <Group>
              <Button onClick={run} disabled={!current || !parsed} loading={tryTool.isPending}>
                Try it
              </Button>
            </Group>
            {tryTool.isError && <ErrorState title="The try did not run" error={tryTool.error} />}
            {tryTool.data && <TryOutcome result={tryTool.data} />}
          </>
        )}
      </Stack>
    </Paper>
  );
}

function TryOutcome({ result }: { result: ToolResult }) {
  const text = result.content.map((c) => (typeof c.text === 'string' ? c.text : `[${c.type}]`)).join('\n');
  return (
    <Alert color={result.isError ? 'red' : 'teal'} title={result.isError ? 'The tool answered with an error' : 'The tool answered'} role="status" data-testid="try-result">
      <Code block>{text.slice(0, 4000)}</Code>
    </Alert>
  );
}

