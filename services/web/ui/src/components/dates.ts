// Calendar dates (`YYYY-MM-DD`, the server's format) written in the browser's locale. They are
// days, not instants: they are read and written in local time so no time zone shifts them.

const dayMonth = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const fullDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const monthYear = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' });

/** `2026-03-05` as a local Date at midnight; null when it is not such a date. */
export function parseDay(day: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) {
    return null;
  }
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A local Date as `YYYY-MM-DD`. */
export function toDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** "Mar 5", with the year only when it is not `year`. */
export function formatDay(day: string, year?: number): string {
  const date = parseDay(day);
  if (!date) {
    return day;
  }
  return year === undefined || date.getFullYear() === year
    ? dayMonth.format(date)
    : fullDate.format(date);
}

/** "Mar 5, 2026". */
export function formatFullDay(day: string): string {
  const date = parseDay(day);
  return date ? fullDate.format(date) : day;
}

/** "March 2026". */
export function formatMonth(year: number, month: number): string {
  return monthYear.format(new Date(year, month - 1, 1));
}

/** `day` plus `days` days, as `YYYY-MM-DD`. */
export function addDays(day: string, days: number): string {
  const date = parseDay(day) ?? new Date();
  date.setDate(date.getDate() + days);
  return toDay(date);
}
