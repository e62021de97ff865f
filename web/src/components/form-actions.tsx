import { Button, Group } from '@mantine/core';

/** The foot of a form in a dialog: a way out, and the submit button (busy while the request runs). */
export function FormActions({ submitLabel, pending, disabled, onCancel }: { submitLabel: string; pending: boolean; disabled?: boolean; onCancel: () => void }) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel} disabled={pending}>
        Cancel
      </Button>
      <Button type="submit" loading={pending} disabled={disabled}>
        {submitLabel}
      </Button>
    </Group>
  );
}
