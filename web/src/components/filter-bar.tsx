import { NumberInput, Select, SimpleGrid, TextInput } from '@mantine/core';

/**
 * One filter of a list page: free text, a choice of values ("any" when cleared; a value, or a value
 * shown by its label; `required`: one is always chosen, no "any"), or a number.
 */
export type FilterField<K extends string> =
  | { type: 'text'; name: K; label: string; placeholder?: string }
  | { type: 'select'; name: K; label: string; options: Array<string | { value: string; label: string }>; required?: boolean }
  | { type: 'number'; name: K; label: string; min?: number };

export type FilterValue = string | number | null;

/**
 * The filters above a list (request log, audit trail, marketplace review), three to a row, one below the other on a
 * phone. The page owns the values, their debouncing and their checks; an invalid value's reason
 * goes under its field (`errors`).
 */
export function FilterBar<K extends string>({
  fields,
  values,
  errors = {},
  onChange,
}: {
  fields: Array<FilterField<K>>;
  values: Record<K, FilterValue>;
  errors?: Partial<Record<K, string>>;
  onChange: (name: K, value: FilterValue) => void;
}) {
  return (
    <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
      {fields.map((f) => {
        const value = values[f.name];
        const error = errors[f.name];
        switch (f.type) {
          case 'text':
            return <TextInput key={f.name} label={f.label} placeholder={f.placeholder} value={String(value ?? '')} onChange={(e) => onChange(f.name, e.currentTarget.value)} error={error} />;
          case 'select':
            return (
              <Select
                key={f.name}
                label={f.label}
                placeholder={f.required ? undefined : 'any'}
                clearable={!f.required}
                allowDeselect={!f.required}
                data={f.options}
                value={typeof value === 'string' ? value : null}
                onChange={(v) => onChange(f.name, v)}
                error={error}
              />
            );
          case 'number':
            return <NumberInput key={f.name} label={f.label} min={f.min} value={value ?? ''} onChange={(v) => onChange(f.name, typeof v === 'bigint' ? Number(v) : v)} error={error} />;
        }
      })}
    </SimpleGrid>
  );
}
