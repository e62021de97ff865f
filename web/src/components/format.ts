/** Display helpers shared by the tables. */
export const when = (iso: string | null | undefined, none = '—') => (iso ? new Date(iso).toLocaleString() : none);
export const ms = (v: number | null | undefined) => (v == null ? '—' : v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`);
export const percent = (v: number) => `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 1)} %`;
export const shortId = (id: string | null | undefined) => (id ? id.slice(0, 8) : '—');
