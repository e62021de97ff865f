import { ResourceNotFoundError, ResourceTemplate, McpServer, type CallToolResult } from '@modelcontextprotocol/server';
import { sql, type Kysely, type Selectable } from 'kysely';
import { z } from 'zod';
import type { Database, NotesTable } from '../../db/index.js';
import type { BuiltinCaller, BuiltinDeps } from '../types.js';

/**
 * `notes`: a per-user notes service stored in PostgreSQL, with full-text search
 * (`websearch_to_tsquery` over a generated, GIN-indexed tsvector of title + body).
 *
 * Stateless: every server instance is bound to one caller, and every query is scoped to that
 * caller's user id. Values reach SQL only as bound parameters.
 */

const MAX_BODY = 100_000;
const noteId = z.uuid({ message: 'must be a note id (UUID)' });
const tag = z.string().trim().min(1).max(50).regex(/^[^\s,]+$/, 'tags have no spaces or commas');
const tags = z.array(tag).max(20);

type NoteRow = Pick<Selectable<NotesTable>, 'id' | 'title' | 'body' | 'tags' | 'created_at' | 'updated_at'>;

interface NoteJson {
  id: string;
  title: string;
  body: string;
  tags: string[];
  created_at: string;
  updated_at: string;
}

const toJson = (r: NoteRow): NoteJson => ({
  id: r.id,
  title: r.title,
  body: r.body,
  tags: r.tags,
  created_at: new Date(r.created_at).toISOString(),
  updated_at: new Date(r.updated_at).toISOString(),
});

const ok = (value: Record<string, unknown>): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
  structuredContent: value,
});

const fail = (message: string): CallToolResult => ({ content: [{ type: 'text', text: message }], isError: true });

const columns = ['id', 'title', 'body', 'tags', 'created_at', 'updated_at'] as const;

export function notesServer(deps: BuiltinDeps): (caller: BuiltinCaller) => McpServer {
  const db: Kysely<Database> = deps.db;
  return (caller) => {
    const userId = caller.user.id;
    const mine = () => db.selectFrom('notes').select(columns).where('user_id', '=', userId);
    const notFound = (id: string) => fail(`Note ${id} not found`);

    const server = new McpServer(
      { name: 'platform-notes', version: '1.0.0' },
      { instructions: 'Private notes of the signed-in user. Use search_notes for full-text search (web-search syntax: "quoted phrase", -exclude, or).' },
    );

    server.registerTool(
      'create_note',
      {
        title: 'Create note',
        description: 'Create a note with a title, a body and optional tags.',
        inputSchema: z.strictObject({
          title: z.string().trim().min(1).max(200),
          body: z.string().max(MAX_BODY).default(''),
          tags: tags.default([]),
        }),
      },
      async ({ title, body, tags: t }) => {
        const row = await db
          .insertInto('notes')
          .values({ user_id: userId, title, body, tags: [...new Set(t)] })
          .returning(columns)
          .executeTakeFirstOrThrow();
        return ok({ note: toJson(row) });
      },
    );

    server.registerTool(
      'get_note',
      {
        title: 'Get note',
        description: 'Fetch one note by id.',
        inputSchema: z.strictObject({ id: noteId }),
        annotations: { readOnlyHint: true },
      },
      async ({ id }) => {
        const row = await mine().where('id', '=', id).executeTakeFirst();
        return row ? ok({ note: toJson(row) }) : notFound(id);
      },
    );

    server.registerTool(
      'update_note',
      {
        title: 'Update note',
        description: 'Change the title, body or tags of a note. Fields left out stay as they are.',
        inputSchema: z
          .strictObject({
            id: noteId,
            title: z.string().trim().min(1).max(200).optional(),
            body: z.string().max(MAX_BODY).optional(),
            tags: tags.optional(),
          })
          .refine((v) => v.title !== undefined || v.body !== undefined || v.tags !== undefined, {
            message: 'give at least one of title, body, tags',
          }),
      },
      async ({ id, title, body, tags: t }) => {
        const row = await db
          .updateTable('notes')
          .set({
            ...(title !== undefined ? { title } : {}),
            ...(body !== undefined ? { body } : {}),
            ...(t !== undefined ? { tags: [...new Set(t)] } : {}),
            updated_at: sql<Date>`now()`,
          })
          .where('id', '=', id)
          .where('user_id', '=', userId)
          .returning(columns)
          .executeTakeFirst();
        return row ? ok({ note: toJson(row) }) : notFound(id);
      },
    );

    server.registerTool(
      'delete_note',
      {
        title: 'Delete note',
        description: 'Delete a note for good.',
        inputSchema: z.strictObject({ id: noteId }),
        annotations: { destructiveHint: true },
      },
      async ({ id }) => {
        const res = await db.deleteFrom('notes').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
        return Number(res.numDeletedRows) > 0 ? ok({ deleted: id }) : notFound(id);
      },
    );

    server.registerTool(
      'list_notes',
      {
        title: 'List notes',
        description: 'List notes, most recently updated first, optionally only those with a tag.',
        inputSchema: z.strictObject({
          tag: tag.optional(),
          limit: z.number().int().min(1).max(100).default(20),
          offset: z.number().int().min(0).max(100_000).default(0),
        }),
        annotations: { readOnlyHint: true },
      },
      async ({ tag: t, limit, offset }) => {
        const rows = await mine()
          .$if(t !== undefined, (q) => q.where(sql<boolean>`tags @> array[${t}]::text[]`))
          .orderBy('updated_at', 'desc')
          .orderBy('id')
          .limit(limit + 1)
          .offset(offset)
          .execute();
        const more = rows.length > limit;
        return ok({
          notes: rows.slice(0, limit).map(toJson),
          ...(more ? { next_offset: offset + limit } : {}),
        });
      },
    );

    server.registerTool(
      'search_notes',
      {
        title: 'Search notes',
        description:
          'Full-text search over titles and bodies (English stemming). Web-search syntax: words, "a phrase", -excluded, or.',
        inputSchema: z.strictObject({
          query: z.string().trim().min(1).max(500),
          limit: z.number().int().min(1).max(100).default(20),
        }),
        annotations: { readOnlyHint: true },
      },
      async ({ query, limit }) => {
        const q = sql`websearch_to_tsquery('english'::regconfig, ${query})`;
        const rows = await mine()
          .select(sql<number>`ts_rank(tsv, ${q})`.as('rank'))
          .where(sql<boolean>`tsv @@ ${q}`)
          .orderBy('rank', 'desc')
          .orderBy('updated_at', 'desc')
          .limit(limit)
          .execute();
        return ok({ query, notes: rows.map((r) => ({ ...toJson(r), rank: Number(r.rank) })) });
      },
    );

    server.registerResource(
      'note',
      new ResourceTemplate('notes://{id}', {
        list: async () => {
          const rows = await mine().orderBy('updated_at', 'desc').limit(100).execute();
          return {
            resources: rows.map((r) => ({ uri: `notes://${r.id}`, name: r.title, mimeType: 'text/markdown' })),
          };
        },
      }),
      { title: 'Note', description: 'One of your notes, as Markdown.', mimeType: 'text/markdown' },
      async (uri, variables) => {
        const id = String(variables.id ?? '');
        const row = noteId.safeParse(id).success ? await mine().where('id', '=', id).executeTakeFirst() : undefined;
        if (!row) throw new ResourceNotFoundError(uri.href, `Note ${id} not found`);
        const tagLine = row.tags.length ? `\n\nTags: ${row.tags.join(', ')}` : '';
        return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: `# ${row.title}\n\n${row.body}${tagLine}` }] };
      },
    );

    return server;
  };
}
