import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type TestPlatform } from './support/platform.js';

/** The builtin `notes` server, reached as a real SDK client over the in-memory transport. */

interface Note {
  id: string;
  title: string;
  body: string;
  tags: string[];
}

describe('builtin notes service', () => {
  let t: TestPlatform;
  const clients: Client[] = [];

  async function connectAs(): Promise<{ client: Client; userId: string }> {
    const user = await t.platform.database.db
      .insertInto('users')
      .values({ email: `${randomUUID()}@example.test`, user_metadata: '{}', app_metadata: '{}' })
      .returning(['id', 'email', 'role'])
      .executeTakeFirstOrThrow();
    const server = t.platform.builtins.notes!({ user: { id: user.id, email: user.email, role: user.role }, credentials: {} });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'notes-test', version: '1.0.0' });
    await client.connect(clientSide);
    clients.push(client);
    return { client, userId: user.id };
  }

  async function call(client: Client, name: string, args: Record<string, unknown>) {
    return (await client.callTool({ name, arguments: args })) as {
      isError?: boolean;
      content: Array<{ type: string; text: string }>;
      structuredContent?: Record<string, unknown>;
    };
  }

  beforeAll(async () => {
    t = await startPlatform();
  }, 180_000);
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await t?.close();
  });

  it('lists the six tools and the notes:// resource template', async () => {
    const { client } = await connectAs();
    const tools = (await client.listTools()).tools.map((x) => x.name).sort();
    expect(tools).toEqual(['create_note', 'delete_note', 'get_note', 'list_notes', 'search_notes', 'update_note']);
    const templates = (await client.listResourceTemplates()).resourceTemplates.map((r) => r.uriTemplate);
    expect(templates).toEqual(['notes://{id}']);
  });

  it('creates, reads, updates, lists and deletes a note', async () => {
    const { client } = await connectAs();
    const created = await call(client, 'create_note', { title: 'Groceries', body: 'Milk and bread', tags: ['home', 'home'] });
    expect(created.isError).toBeFalsy();
    const note = created.structuredContent!.note as Note;
    expect(note).toMatchObject({ title: 'Groceries', body: 'Milk and bread', tags: ['home'] });

    expect((await call(client, 'get_note', { id: note.id })).structuredContent!.note).toMatchObject({ id: note.id });
    const updated = await call(client, 'update_note', { id: note.id, body: 'Milk, bread and eggs' });
    expect((updated.structuredContent!.note as Note).body).toBe('Milk, bread and eggs');
    expect((updated.structuredContent!.note as Note).title).toBe('Groceries');

    await call(client, 'create_note', { title: 'Work', tags: ['work'] });
    const listed = (await call(client, 'list_notes', { tag: 'home' })).structuredContent!.notes as Note[];
    expect(listed.map((n) => n.id)).toEqual([note.id]);

    const resource = await client.readResource({ uri: `notes://${note.id}` });
    expect(resource.contents[0]).toMatchObject({ uri: `notes://${note.id}`, mimeType: 'text/markdown' });
    expect((resource.contents[0] as { text: string }).text).toContain('# Groceries');
    const resources = (await client.listResources()).resources.map((r) => r.uri);
    expect(resources).toContain(`notes://${note.id}`);

    expect((await call(client, 'delete_note', { id: note.id })).structuredContent).toEqual({ deleted: note.id });
    const gone = await call(client, 'get_note', { id: note.id });
    expect(gone.isError).toBe(true);
    expect(gone.content[0]!.text).toBe(`Note ${note.id} not found`);
  });

  it('keeps each user to their own notes', async () => {
    const alice = await connectAs();
    const bob = await connectAs();
    const secret = (await call(alice.client, 'create_note', { title: 'Alice secret plan', body: 'zebra crossing' }))
      .structuredContent!.note as Note;

    for (const [tool, args] of [
      ['get_note', { id: secret.id }],
      ['update_note', { id: secret.id, title: 'pwned' }],
      ['delete_note', { id: secret.id }],
    ] as const) {
      const res = await call(bob.client, tool, args);
      expect(res.isError).toBe(true);
      expect(res.content[0]!.text).toBe(`Note ${secret.id} not found`);
    }
    expect((await call(bob.client, 'list_notes', {})).structuredContent!.notes).toEqual([]);
    expect((await call(bob.client, 'search_notes', { query: 'zebra' })).structuredContent!.notes).toEqual([]);
    await expect(bob.client.readResource({ uri: `notes://${secret.id}` })).rejects.toThrow(/not found/i);
    expect((await bob.client.listResources()).resources).toEqual([]);

    // Alice's note is untouched.
    expect(((await call(alice.client, 'get_note', { id: secret.id })).structuredContent!.note as Note).title).toBe('Alice secret plan');
  });

  it('searches full text with stemming, phrases and exclusions, ranking title matches first', async () => {
    const { client } = await connectAs();
    await call(client, 'create_note', { title: 'Running notes', body: 'I ran five kilometres' });
    await call(client, 'create_note', { title: 'Recipes', body: 'Pasta with running water and tomato sauce' });
    await call(client, 'create_note', { title: 'Garden', body: 'Plant tomatoes in spring' });

    const run = (await call(client, 'search_notes', { query: 'runs' })).structuredContent!.notes as Note[];
    expect(run.map((n) => n.title)).toEqual(['Running notes', 'Recipes']);
    const tomato = (await call(client, 'search_notes', { query: 'tomato -pasta' })).structuredContent!.notes as Note[];
    expect(tomato.map((n) => n.title)).toEqual(['Garden']);
    const phrase = (await call(client, 'search_notes', { query: '"tomato sauce"' })).structuredContent!.notes as Note[];
    expect(phrase.map((n) => n.title)).toEqual(['Recipes']);
  });

  it('treats SQL metacharacters as literal text', async () => {
    const { client } = await connectAs();
    const nasty = `Robert'); DROP TABLE notes;-- \\ % _ $1 ::text`;
    const created = (await call(client, 'create_note', { title: nasty, body: "O'Reilly 100% ok", tags: ["it's"] }))
      .structuredContent!.note as Note;
    expect(created.title).toBe(nasty);
    expect(((await call(client, 'get_note', { id: created.id })).structuredContent!.note as Note).body).toBe("O'Reilly 100% ok");
    expect(((await call(client, 'list_notes', { tag: "it's" })).structuredContent!.notes as Note[]).map((n) => n.id)).toEqual([created.id]);
    for (const query of [`'; drop table notes; --`, `") or 1=1 --`, `:* & | ! ( )`, `%`, `\\`]) {
      const res = await call(client, 'search_notes', { query });
      expect(res.isError, query).toBeFalsy();
    }
    const found = (await call(client, 'search_notes', { query: 'Reilly' })).structuredContent!.notes as Note[];
    expect(found.map((n) => n.id)).toEqual([created.id]);
    // The table is still there for everyone.
    expect(Number((await t.platform.database.db.selectFrom('notes').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBeGreaterThan(0);
  });

  it('rejects bad input with clear errors', async () => {
    const { client } = await connectAs();
    const badId = await call(client, 'get_note', { id: 'not-a-uuid' });
    expect(badId.isError).toBe(true);
    expect(badId.content[0]!.text).toMatch(/note id/i);
    const empty = await call(client, 'update_note', { id: randomUUID() });
    expect(empty.isError).toBe(true);
    expect(empty.content[0]!.text).toMatch(/at least one of title, body, tags/);
    const extra = await call(client, 'create_note', { title: 'x', owner: 'someone-else' });
    expect(extra.isError).toBe(true);
    const longTitle = await call(client, 'create_note', { title: 'x'.repeat(201) });
    expect(longTitle.isError).toBe(true);
  });
});
