import { ActionIcon, Button, CopyButton, Tooltip } from '@mantine/core';

/** A copy-to-clipboard button with a label screen readers announce, and a visible "Copied". */
export function CopyValueButton({ value, label, compact = false }: { value: string; label: string; compact?: boolean }) {
  return (
    <CopyButton value={value} timeout={2000}>
      {({ copied, copy }) =>
        compact ? (
          <Tooltip label={copied ? 'Copied' : label} withArrow>
            <ActionIcon variant="subtle" onClick={copy} aria-label={label} color={copied ? 'teal' : 'gray'}>
              {copied ? '✓' : '⧉'}
            </ActionIcon>
          </Tooltip>
        ) : (
          <Button size="xs" variant={copied ? 'filled' : 'light'} color={copied ? 'teal' : 'blue'} onClick={copy} aria-label={label}>
            {copied ? 'Copied' : 'Copy'}
          </Button>
        )
      }
    </CopyButton>
  );
}
