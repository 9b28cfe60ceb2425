import type { OccurrenceStatus, TrackerRow } from '../../api/types';
import { addDays } from '../../components/dates';

export interface Month {
  year: number;
  month: number;
}

export type SortOrder = 'pin' | 'date';

/** The month and sort of the address (`?year=2026&month=3&sort=pin`); null parts are absent. */
export function readView(params: URLSearchParams): { month: Month | null; sort: SortOrder } {
  const year = Number(params.get('year'));
  const month = Number(params.get('month'));
  const valid = Number.isInteger(year) && year >= 1970 && year <= 2200 && Number.isInteger(month);
  return {
    month: valid && month >= 1 && month <= 12 ? { year, month } : null,
    sort: params.get('sort') === 'date' ? 'date' : 'pin',
  };
}

/** The month `offset` months after `from`. */
export function shiftMonth(from: Month, offset: number): Month {
  const index = from.year * 12 + (from.month - 1) + offset;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/** The month of a `YYYY-MM-DD` day. */
export function monthOf(day: string): Month {
  return { year: Number(day.slice(0, 4)), month: Number(day.slice(5, 7)) };
}

const PIN_RANK: Record<OccurrenceStatus, number> = {
  missed: 0,
  late: 1,
  due_today: 2,
  due_soon: 3,
  upcoming: 4,
  partial: 5,
  paid: 6,
  skipped: 7,
};

/**
 * "Pin due": missed, late, due today, due soon, upcoming, then the rest, ties by due date and
 * name. "Date" keeps the server's order (by due date).
 */
export function sortRows(rows: TrackerRow[], order: SortOrder): TrackerRow[] {
  if (order === 'date') {
    return rows;
  }
  return [...rows].sort(
    (a, b) =>
      PIN_RANK[a.status] - PIN_RANK[b.status] ||
      a.due_date.localeCompare(b.due_date) ||
      a.name.localeCompare(b.name),
  );
}

/**
 * The status the server gives a row, for the moment between a change shown at once and the
 * server's answer, which replaces it (the rules live in the server's occurrence engine). It
 * compares amounts, it never adds them up.
 */
export function expectedStatus(
  row: Pick<TrackerRow, 'skipped' | 'paid_cents' | 'amount_due_cents' | 'due_date'>,
  today: string,
): OccurrenceStatus {
  if (row.skipped) {
    return 'skipped';
  }
  if (row.paid_cents >= row.amount_due_cents) {
    return 'paid';
  }
  if (row.paid_cents > 0) {
    return 'partial';
  }
  if (row.due_date < today) {
    return row.due_date.slice(0, 7) === today.slice(0, 7) ? 'late' : 'missed';
  }
  if (row.due_date === today) {
    return 'due_today';
  }
  return row.due_date <= addDays(today, 3) ? 'due_soon' : 'upcoming';
}
