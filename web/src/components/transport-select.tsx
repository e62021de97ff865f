import { Select } from '@mantine/core';

export type HttpTransport = 'streamable-http' | 'sse';

const TRANSPORTS = [
  { value: 'streamable-http', label: 'Streamable HTTP' },
  { value: 'sse', label: 'SSE (legacy)' },
];

/** How the platform talks to a remote MCP endpoint: the admin's service form and the provider's listing form. */
export function TransportSelect({ value, onChange, error }: { value: HttpTransport; onChange: (transport: HttpTransport) => void; error?: string }) {
  return <Select label="Transport" data={TRANSPORTS} value={value} onChange={(v) => onChange(v === 'sse' ? 'sse' : 'streamable-http')} error={error} allowDeselect={false} />;
}
