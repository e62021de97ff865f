/**
 * A tool's `inputSchema` (JSON Schema, an object) as form fields, and the typed form values back
 * as the call's `arguments`. Strings, numbers, integers, booleans and enums get their own inputs;
 * anything else (arrays, objects, unions) is JSON text, checked before the call.
 */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  items?: JsonSchema;
}

export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'json';

export interface ToolField {
  name: string;
  label: string;
  description?: string;
  required: boolean;
  kind: FieldKind;
  /** For `json`: the JSON type the value must have, when the schema names one. */
  jsonType?: 'array' | 'object';
  /** For `enum`: each allowed value, JSON-encoded (the form's value), with a label. */
  options?: Array<{ value: string; label: string }>;
  schema: JsonSchema;
  /** The form's starting value: the schema's default, else empty. */
  initial: string;
}

/** The one type a property has, ignoring `null` in a union (`["string","null"]`). */
function typeOf(schema: JsonSchema): string | undefined {
  const t = schema.type;
  if (Array.isArray(t)) {
    const real = t.filter((x) => x !== 'null');
    return real.length === 1 ? real[0] : undefined;
  }
  return t;
}

const asText = (v: unknown, kind: FieldKind): string => {
  if (v === undefined) return '';
  if (kind === 'json') return JSON.stringify(v, null, 2);
  if (kind === 'enum') return JSON.stringify(v);
  return String(v);
};

export function fieldsOf(inputSchema: unknown): ToolField[] {
  const schema = (inputSchema ?? {}) as JsonSchema;
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  return Object.entries(schema.properties ?? {}).map(([name, prop]) => {
    const t = typeOf(prop);
    let kind: FieldKind;
    if (Array.isArray(prop.enum) && prop.enum.length > 0) kind = 'enum';
    else if (t === 'string' || t === 'number' || t === 'integer' || t === 'boolean') kind = t;
    else kind = 'json';
    const field: ToolField = {
      name,
      label: prop.title ?? name,
      description: prop.description,
      required: required.has(name),
      kind,
      schema: prop,
      initial: asText(prop.default, kind),
    };
    if (kind === 'json' && (t === 'array' || t === 'object')) field.jsonType = t;
    if (kind === 'enum') field.options = (prop.enum ?? []).map((v) => ({ value: JSON.stringify(v), label: typeof v === 'string' ? v : JSON.stringify(v) }));
    return field;
  });
}

export type FieldValues = Record<string, string>;
export type ArgumentsOrErrors = { ok: true; arguments: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

/** One field's text as its JSON value; `undefined` for an empty optional field. */
function valueOf(field: ToolField, text: string): { value?: unknown; error?: string } {
  const s = field.schema;
  if (text.trim() === '' && field.kind !== 'string') return field.required ? { error: 'Required' } : {};
  switch (field.kind) {
    case 'string':
      if (text === '') return field.required ? { error: 'Required' } : {};
      if (s.minLength !== undefined && text.length < s.minLength) return { error: `At least ${s.minLength} characters` };
      if (s.maxLength !== undefined && text.length > s.maxLength) return { error: `At most ${s.maxLength} characters` };
      return { value: text };
    case 'number':
    case 'integer': {
      const n = Number(text.trim());
      if (!Number.isFinite(n)) return { error: 'Enter a number' };
      if (field.kind === 'integer' && !Number.isInteger(n)) return { error: 'Enter a whole number' };
      if (s.minimum !== undefined && n < s.minimum) return { error: `At least ${s.minimum}` };
      if (s.maximum !== undefined && n > s.maximum) return { error: `At most ${s.maximum}` };
      return { value: n };
    }
    case 'boolean':
      return text === 'true' ? { value: true } : text === 'false' ? { value: false } : { error: 'Choose true or false' };
    case 'enum':
      try {
        return { value: JSON.parse(text) as unknown };
      } catch {
        return { error: 'Choose one of the values' };
      }
    case 'json': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        return { error: `Not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
      }
      if (field.jsonType === 'array' && !Array.isArray(parsed)) return { error: 'Must be a JSON array, like ["a", "b"]' };
      if (field.jsonType === 'object' && (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))) return { error: 'Must be a JSON object, like {"key": "value"}' };
      return { value: parsed };
    }
  }
}

/** The call's `arguments`, or a message per field that is missing or malformed. */
export function argumentsFrom(fields: ToolField[], values: FieldValues): ArgumentsOrErrors {
  const args: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const { value, error } = valueOf(field, values[field.name] ?? '');
    if (error) errors[field.name] = error;
    else if (value !== undefined) args[field.name] = value;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, arguments: args };
}

export const initialValues = (fields: ToolField[]): FieldValues => Object.fromEntries(fields.map((f) => [f.name, f.initial]));
