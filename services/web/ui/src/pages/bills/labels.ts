import type { Bucket, Cycle, PaymentMethod } from '../../api/types';

export const CYCLE_LABELS: Record<Cycle, string> = {
  weekly: 'Weekly',
  biweekly: 'Every two weeks',
  monthly: 'Monthly',
  quarterly: 'Quarterly',
  semiannual: 'Twice a year',
  annual: 'Yearly',
};

/** Cycles that fall on a day of the month (the others step from the first due date). */
export function usesDueDay(cycle: Cycle): boolean {
  return cycle !== 'weekly' && cycle !== 'biweekly';
}

export const BUCKET_LABELS: Record<Bucket, string> = {
  first: '1st of the month',
  fifteenth: '15th of the month',
  other: 'Other',
};

export const BUCKET_HINTS: Record<Bucket, string> = {
  first: 'Paid from the money you have at the start of the month',
  fifteenth: 'Paid from mid-month money',
  other: 'Paid from other money',
};

/** The bucket a due day falls in unless the user picks another: 1–14 first, 15–31 fifteenth. */
export function bucketForDay(day: number): Bucket {
  return day < 15 ? 'first' : 'fifteenth';
}

export const METHOD_LABELS: Record<PaymentMethod, string> = {
  'bank transfer': 'Bank transfer',
  card: 'Card',
  cash: 'Cash',
  check: 'Check',
  autopay: 'Autopay',
  other: 'Other',
};

export const METHODS = Object.keys(METHOD_LABELS) as PaymentMethod[];
export const CYCLES = Object.keys(CYCLE_LABELS) as Cycle[];
export const BUCKETS = Object.keys(BUCKET_LABELS) as Bucket[];
