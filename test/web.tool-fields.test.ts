import { describe, expect, it } from 'vitest';
import { argumentsFrom, fieldsOf, initialValues } from '../web/src/features/playground/tool-fields.js';

/** The Playground's form from a tool's inputSchema (web/src/features/playground/tool-fields.ts): pure functions, no browser. */
const schema = {
  type: 'object',
  properties: {
    city: { type: 'string', description: 'City name', maxLength: 10 },
    days: { type: 'integer', minimum: 1, maximum: 7, default: 3 },
    ratio: { type: ['number', 'null'] },
    units: { type: 'string', enum: ['metric', 'imperial'] },
    level: { enum: [1, 2, 'max'] },
    alerts: { type: 'boolean' },
    strict: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' } },
    filter: { type: 'object' },
    anything: {},
  },
  required: ['city', 'days', 'units', 'strict'],
};

describe('playground: fields from an inputSchema', () => {
  const fields = fieldsOf(schema);
  const byName = Object.fromEntries(fields.map((f) => [f.name, f]));

  it('gives each JSON Schema type its input, with required marks and defaults', () => {
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['city', 'string', true],
      ['days', 'integer', true],
      ['ratio', 'number', false],
      ['units', 'enum', true],
      ['level', 'enum', false],
      ['alerts', 'boolean', false],
      ['strict', 'boolean', true],
      ['tags', 'json', false],
      ['filter', 'json', false],
      ['anything', 'json', false],
    ]);
    expect(byName.tags!.jsonType).toBe('array');
    expect(byName.filter!.jsonType).toBe('object');
    expect(byName.anything!.jsonType).toBeUndefined();
    expect(byName.level!.options).toEqual([
      { value: '1', label: '1' },
      { value: '2', label: '2' },
      { value: '"max"', label: 'max' },
    ]);
    expect(initialValues(fields)).toMatchObject({ days: '3', city: '' });
    expect(fieldsOf(undefined)).toEqual([]);
  });

  it('turns valid values into typed arguments and leaves out empty optional ones', () => {
    const parsed = argumentsFrom(fields, {
      city: 'Lisbon',
      days: '2',
      ratio: '0.5',
      units: '"metric"',
      level: '2',
      alerts: '',
      strict: 'false',
      tags: '["a", "b"]',
      filter: '{"x": 1}',
      anything: 'null',
    });
    expect(parsed).toEqual({
      ok: true,
      arguments: { city: 'Lisbon', days: 2, ratio: 0.5, units: 'metric', level: 2, strict: false, tags: ['a', 'b'], filter: { x: 1 }, anything: null },
    });
  });

  it('names what is wrong with each field, and calls nothing', () => {
    const parsed = argumentsFrom(fields, { city: 'A very long city', days: '2.5', ratio: 'abc', units: '', strict: '', tags: '{"a":1}', filter: '[1]', anything: '{oops' });
    expect(parsed).toEqual({
      ok: false,
      errors: {
        city: 'At most 10 characters',
        days: 'Enter a whole number',
        ratio: 'Enter a number',
        units: 'Required',
        strict: 'Required',
        tags: 'Must be a JSON array, like ["a", "b"]',
        filter: 'Must be a JSON object, like {"key": "value"}',
        anything: expect.stringMatching(/^Not valid JSON: /),
      },
    });
    expect(argumentsFrom(fields, { city: 'x', days: '9', units: '"metric"', strict: 'true' })).toEqual({ ok: false, errors: { days: 'At most 7' } });
  });
});
