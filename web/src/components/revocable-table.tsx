import { Button, Table } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { ConfirmDialog } from './confirm-dialog';

export interface RevocableColumn<T> {
  header: string;
  cell: (row: T) => ReactNode;
}

/**
 * A table of things the user can take back (API keys, connected apps): one column per field, a
 * last column with the action button, and a dialog that asks before the action runs. The caller
 * owns the mutation: `onConfirm(row, close)` runs it and calls `close` when it succeeded.
 */
export function RevocableTable<T>({
  label,
  rows,
  rowKey,
  rowProps,
  columns,
  minWidth = 640,
  highlightOnHover = false,
  action,
  confirm,
}: {
  label: string;
  rows: T[];
  rowKey: (row: T) => string;
  rowProps?: (row: T) => Record<`data-${string}`, string>;
  columns: Array<RevocableColumn<T>>;
  minWidth?: number;
  highlightOnHover?: boolean;
  action: { label: string; ariaLabel: (row: T) => string };
  confirm: {
    title: (row: T) => string;
    body: ReactNode;
    confirmLabel: string;
    cancelLabel: string;
    errorTitle: string;
    pending: boolean;
    error: unknown;
    onConfirm: (row: T, close: () => void) => void;
  };
}) {
  const [chosen, setChosen] = useState<T>();
  const close = () => setChosen(undefined);
  return (
    <>
      <Table.ScrollContainer minWidth={minWidth}>
        <Table striped highlightOnHover={highlightOnHover} aria-label={label}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <Table.Th key={c.header}>{c.header}</Table.Th>
              ))}
              <Table.Th>
                <span className="visually-hidden">Actions</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={rowKey(row)} {...rowProps?.(row)}>
                {columns.map((c) => (
                  <Table.Td key={c.header}>{c.cell(row)}</Table.Td>
                ))}
                <Table.Td>
                  <Button size="xs" color="red" variant="subtle" onClick={() => setChosen(row)} aria-label={action.ariaLabel(row)}>
                    {action.label}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <ConfirmDialog
        opened={chosen !== undefined}
        title={chosen !== undefined ? confirm.title(chosen) : ''}
        confirmLabel={confirm.confirmLabel}
        cancelLabel={confirm.cancelLabel}
        pending={confirm.pending}
        error={confirm.error}
        errorTitle={confirm.errorTitle}
        onClose={close}
        onConfirm={() => chosen !== undefined && confirm.onConfirm(chosen, close)}
      >
        {confirm.body}
      </ConfirmDialog>
    </>
  );
}
