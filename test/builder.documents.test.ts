import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importApiDocument, jsonSchemaValidator, parseText, type ImportResult } from '../src/builder/index.js';

/**
 * Issue 15, acceptance 1: real documents. The GitHub REST API document that `@octokit/openapi`
 * ships, and every document (JSON and YAML) of `@readme/oas-examples`. For each: every operation
 * is a tool or a reported reason (exactly once), every input schema is valid JSON Schema 2020-12
 * (ajv's meta-schema check, then compiled), every tool name matches the MCP rule and is unique.
 */
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const MCP_TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** The document's operations, counted on the raw document (a path item may be a local `$ref`). */
function operationsOf(document: Record<string, unknown>): string[] {
  const paths = (document.paths ?? {}) as Record<string, Record<string, unknown>>;
  const resolve = (item: Record<string, unknown>): Record<string, unknown> => {
    if (typeof item?.$ref !== 'string' || !item.$ref.startsWith('#/')) return item;
    let node: unknown = document;
    for (const part of item.$ref.slice(2).split('/')) node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    return resolve(node as Record<string, unknown>);
  };
  return Object.entries(paths).flatMap(([p, raw]) => {
    const item = resolve(raw);
    return METHODS.filter((m) => item && typeof item[m] === 'object').map((m) => `${m.toUpperCase()} ${p}`);
  });
}

function checkResult(label: string, document: Record<string, unknown>, result: ImportResult): void {
  const seen = [...result.tools.map((t) => `${t.operation.method} ${t.operation.path}`), ...result.skipped.map((s) => s.operation)];
  expect(seen.slice().sort(), label).toEqual(operationsOf(document).sort());
  const names = result.tools.map((t) => t.name);
  expect(new Set(names).size, label).toBe(names.length);
  const ajv = jsonSchemaValidator();
  for (const tool of result.tools) {
    expect(tool.name, label).toMatch(MCP_TOOL_NAME);
    expect(ajv.validateSchema(tool.inputSchema), `${label} ${tool.name}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
    if (tool.outputSchema) expect(ajv.validateSchema(tool.outputSchema), `${label} ${tool.name} output`).toBe(true);
    ajv.removeSchema(ajv.compile(tool.inputSchema).schema as object);
  }
}

const examplesRoot = path.dirname(require.resolve('@readme/oas-examples/package.json'));
const exampleFiles = ['2.0', '3.0', '3.1'].flatMap((version) =>
  ['json', 'yaml'].flatMap((format) => {
    const dir = path.join(examplesRoot, version, format);
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && /\.(json|ya?ml)$/.test(e.name))
      .map((e) => path.join(version, format, e.name));
  }),
);

describe('real API documents import completely', () => {
  it(`every @readme/oas-examples document (${exampleFiles.length} files)`, async () => {
    let tools = 0;
    let skipped = 0;
    for (const file of exampleFiles) {
      const document = parseText(readFileSync(path.join(examplesRoot, file), 'utf8')) as Record<string, unknown>;
      const result = await importApiDocument(document);
      checkResult(file, document, result);
      tools += result.tools.length;
      skipped += result.skipped.length;
    }
    console.log(`oas-examples: ${exampleFiles.length} documents, ${tools} tools, ${skipped} skipped`);
    expect(exampleFiles.length).toBeGreaterThan(100);
  }, 300_000);

  it('the GitHub REST API document of @octokit/openapi', async () => {
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
    const text = readFileSync(file, 'utf8');
    const started = performance.now();
    const document = parseText(text) as Record<string, unknown>;
    const result = await importApiDocument(document);
    const seconds = (performance.now() - started) / 1000;
    console.log(`github: ${operationsOf(document).length} operations, ${result.tools.length} tools, ${result.skipped.length} skipped, ${result.notes.length} notes, imported in ${seconds.toFixed(2)} s`);
    checkResult('api.github.com', document, result);
    expect(result.tools.length).toBeGreaterThan(1000);
    expect(seconds).toBeLessThan(10);
  }, 300_000);
});
