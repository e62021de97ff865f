import { Button, Checkbox, Group, NativeSelect, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { argumentsFrom, initialValues, type FieldValues, type ToolField } from './tool-fields';

/**
 * The form of one tool, generated from its input schema. Every input has a visible label (the
 * property's title or name), its description as help text and a required mark; values are checked
 * here before the call, and the server's own validation answers as a JSON-RPC error otherwise.
 * Mount it with `key={tool name}` so a new tool starts from its own defaults.
 */
export function ToolForm({ fields, pending, onSubmit }: { fields: ToolField[]; pending: boolean; onSubmit: (args: Record<string, unknown>) => void }) {
  const [values, setValues] = useState<FieldValues>(() => initialValues(fields));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (name: string, value: string) => {
    setValues((v) => ({ ...v, [name]: value }));
    setErrors(({ [name]: _gone, ...rest }) => rest);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = argumentsFrom(fields, values);
    if (!parsed.ok) {
      setErrors(parsed.errors);
      const first = fields.find((f) => parsed.errors[f.name]);
      if (first) document.getElementById(inputId(first))?.focus();
      return;
    }
    setErrors({});
    onSubmit(parsed.arguments);
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Tool arguments">
      <Stack gap="sm">
        {fields.length === 0 && (
          <Text size="sm" c="dimmed">
            This tool takes no arguments.
          </Text>
        )}
        {fields.map((f) => (
          <FieldInput key={f.name} field={f} value={values[f.name] ?? ''} error={errors[f.name]} onChange={(v) => set(f.name, v)} />
        ))}
        <Group>
          <Button type="submit" loading={pending}>
            Call the tool
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

const inputId = (f: ToolField) => `arg-${f.name}`;

function FieldInput({ field: f, value, error, onChange }: { field: ToolField; value: string; error?: string; onChange: (v: string) => void }) {
  const common = { id: inputId(f), label: f.label, description: f.description, required: f.required, error, 'data-field': f.name };
  switch (f.kind) {
    case 'boolean':
      // A required boolean is a checkbox (always true or false); an optional one may also be left out.
      return f.required ? (
        <Checkbox {...common} checked={value === 'true'} onChange={(e) => onChange(e.currentTarget.checked ? 'true' : 'false')} />
      ) : (
        <NativeSelect {...common} value={value} onChange={(e) => onChange(e.currentTarget.value)} data={[{ value: '', label: '(not set)' }, { value: 'true', label: 'true' }, { value: 'false', label: 'false' }]} />
      );
    case 'enum':
      return (
        <NativeSelect
          {...common}
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
          data={[{ value: '', label: f.required ? 'Choose…' : '(not set)' }, ...(f.options ?? [])]}
        />
      );
    case 'number':
    case 'integer':
      return <TextInput {...common} inputMode={f.kind === 'integer' ? 'numeric' : 'decimal'} value={value} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'json':
      return (
        <Textarea
          {...common}
          description={[f.description, `JSON${f.jsonType ? ` ${f.jsonType}` : ''}`].filter(Boolean).join(' · ')}
          autosize
          minRows={2}
          maxRows={12}
          spellCheck={false}
          styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    default:
      return <TextInput {...common} maxLength={f.schema.maxLength} value={value} onChange={(e) => onChange(e.currentTarget.value)} />;
  }
}
