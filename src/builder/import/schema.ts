/**
 * OpenAPI 3.1 schema objects (dereferenced, so possibly cyclic) → plain JSON Schema 2020-12 for a
 * tool's input or output. What is only OpenAPI (`discriminator`, `xml`, `example`, `x-*`) is left
 * out; a schema that contains itself becomes `{}` (any value) at the point it recurs, and so does
 * anything deeper than MAX_DEPTH, so that every result is a finite tree.
 */
const MAX_DEPTH = 24;
const DROPPED = new Set(['nullable', 'discriminator', 'xml', 'externalDocs', 'example', '$ref', '$id', '$schema', '$anchor', '$dynamicRef', '$dynamicAnchor', '$comment', 'additionalItems']);
const SCHEMA_MAPS = new Set(['properties', '$defs', 'definitions', 'dependentSchemas']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_ONE = new Set(['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems']);

export type JsonSchema = Record<string, unknown>;

export interface SchemaOptions {
  /** Inputs leave out `readOnly` properties (the server sets them); outputs keep them. */
  direction: 'input' | 'output';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Patterns are ECMA-262 regular expressions (checked without the `u` flag, as ajv is configured). */
function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function plainValue(v: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(v)) as unknown;
  } catch {
    return undefined; // a cyclic example or default: left out
  }
}

export function toJsonSchema(schema: unknown, options: SchemaOptions): JsonSchema | boolean {
  const seen: unknown[] = [];
  const walk = (node: unknown, depth: number): JsonSchema | boolean => {
    if (typeof node === 'boolean') return node;
    if (!isObject(node) || depth > MAX_DEPTH || seen.includes(node)) return {};
    seen.push(node);
    try {
      const out: JsonSchema = {};
      for (const [key, value] of Object.entries(node)) {
        if (DROPPED.has(key) || key.startsWith('x-')) continue;
        if (SCHEMA_MAPS.has(key) && isObject(value)) {
          const map: Record<string, unknown> = {};
          for (const [name, sub] of Object.entries(value)) {
            if (options.direction === 'input' && key === 'properties' && isObject(sub) && sub.readOnly === true) continue;
            map[name] = walk(sub, depth + 1);
          }
          out[key] = map;
        } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
          out[key] = value.map((sub) => walk(sub, depth + 1));
        } else if (key === 'items' && Array.isArray(value)) {
          out.prefixItems = value.map((sub) => walk(sub, depth + 1)); // draft-04 tuples, 2020-12 spelling
        } else if (SCHEMA_ONE.has(key)) {
          if (isObject(value) || typeof value === 'boolean') out[key] = walk(value, depth + 1);
        } else if (key === 'pattern' || key === 'patternProperties') {
          if (key === 'pattern' && typeof value === 'string' && !compiles(value)) {
            out.description = `${typeof node.description === 'string' ? `${node.description} ` : ''}(The document's pattern ${JSON.stringify(value).slice(0, 200)} is not a valid regular expression and is not checked.)`;
          } else if (key === 'pattern') {
            out.pattern = value;
          } else if (isObject(value)) {
            out.patternProperties = Object.fromEntries(Object.entries(value).filter(([p]) => compiles(p)).map(([p, sub]) => [p, walk(sub, depth + 1)]));
          }
        } else if (key === 'required') {
          if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out.required = [...new Set(value)];
        } else {
          const plain = plainValue(value);
          if (plain !== undefined) out[key] = plain;
        }
      }
      // Draft-04 boolean exclusive bounds (OpenAPI 3.0 style) in the 2020-12 spelling.
      for (const [exclusive, bound] of [['exclusiveMaximum', 'maximum'], ['exclusiveMinimum', 'minimum']] as const) {
        if (typeof out[exclusive] !== 'boolean') continue;
        if (out[exclusive] === true && typeof out[bound] === 'number') {
          out[exclusive] = out[bound];
          delete out[bound];
        } else delete out[exclusive];
      }
      // OpenAPI 3.0's `nullable` (left where the upgrader had no `type` to widen): JSON Schema spells it in `type`.
      if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
      else if (node.nullable === true && Array.isArray(out.type) && !out.type.includes('null')) out.type = [...(out.type as unknown[]), 'null'];
      if (options.direction === 'input' && Array.isArray(out.required) && isObject(out.properties)) {
        const props = out.properties;
        const readOnly = Object.keys(isObject(node.properties) ? node.properties : {}).filter((k) => !(k in props));
        out.required = (out.required as string[]).filter((r) => !readOnly.includes(r));
        if (!(out.required as string[]).length) delete out.required;
      }
      return out;
    } finally {
      seen.pop();
    }
  };
  return walk(schema, 0);
}
