/** A decimal amount without trailing zeros past two places: 0.012000 → 0.012, 4.000000 → 4.00. */
export const amount = (value: string | null) => {
  if (value === null) return '—';
  const [whole, fraction = ''] = value.split('.');
  return `${whole}.${fraction.replace(/0+$/, '').padEnd(2, '0')}`;
};
