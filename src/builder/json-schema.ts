import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * One ajv (JSON Schema 2020-12, the MCP default dialect) for tool inputs. Not strict: API
 * documents use formats and annotations ajv does not know (`int32`, `example`), which only describe;
 * patterns are compiled without the `u` flag, as most API documents write them.
 */
let shared: Ajv2020 | undefined;
export function jsonSchemaValidator(): Ajv2020 {
  if (!shared) {
    shared = new Ajv2020({ strict: false, allErrors: false, logger: false, validateFormats: true, unicodeRegExp: false });
    addFormats.default(shared);
  }
  return shared;
}

/**
 * Compiles without keeping the schema in ajv's cache (keyed by object: the registry re-reads
 * definitions every few seconds, and a cache entry per snapshot would only grow).
 */
export function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  const ajv = jsonSchemaValidator();
  const validate = ajv.compile(schema);
  ajv.removeSchema(schema);
  return validate;
}
