import type { ImportedTool, ImportResult, NewService } from './queries';

/** What the builder edits per tool: its name, description and the descriptions of its arguments. */
export interface ToolEdit {
  name: string;
  description: string;
  args: Record<string, string>;
}

type Schema = { properties?: Record<string, { description?: string } & Record<string, unknown>> } & Record<string, unknown>;

export function argumentsOf(tool: ImportedTool): Array<{ name: string; description: string; type: string }> {
  const props = (tool.inputSchema as Schema).properties ?? {};
  return Object.entries(props).map(([name, s]) => ({ name, description: typeof s.description === 'string' ? s.description : '', type: typeof s.type === 'string' ? s.type : 'value' }));
}

/** The tool as the platform stores it, with the edits applied (the input schema keeps its shape). */
export function applyEdit(tool: ImportedTool, edit: ToolEdit | undefined): ImportedTool {
  if (!edit) return tool;
  const schema = tool.inputSchema as Schema;
  const properties = Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([name, s]) => {
      const d = edit.args[name];
      return [name, d === undefined ? s : d ? { ...s, description: d } : Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'description'))];
    }),
  );
  return { ...tool, name: edit.name, description: edit.description, inputSchema: { ...schema, ...(schema.properties ? { properties } : {}) } };
}

/** The definition to save or try: the chosen tools (edited), the credentials and auth the import proposed. */
export function definitionOf(result: ImportResult, baseUrl: string, chosen: ImportedTool[], edits: Map<string, ToolEdit>): Pick<NewService, 'openapi' | 'credentials'> {
  return {
    credentials: result.credentials as NewService['credentials'],
    openapi: {
      base_url: baseUrl,
      auth: result.auth as NewService['openapi']['auth'],
      tools: chosen.map((t) => applyEdit(t, edits.get(t.name))) as NewService['openapi']['tools'],
    },
  };
}

/** A slug from a title: lower-case letters, digits and dashes, starting with a letter. */
export function slugOf(title: string): string {
  const s = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '');
  return s.slice(0, 40) || 'my-api';
}
