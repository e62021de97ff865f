/** A quota period: the calendar month in UTC that contains a moment, [start, end). */
export interface Period {
  start: Date;
  end: Date;
}

export function monthOf(at: Date): Period {
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const end = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return { start, end };
}

/** `YYYY-MM-DD` of a moment's UTC day (usage_daily.day). */
export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

/** Whole seconds from `now` until `at`, at least 1 (a `Retry-After` value). */
export const secondsUntil = (at: Date, now: Date): number => Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000));
