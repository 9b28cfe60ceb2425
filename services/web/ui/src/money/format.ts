// Money in integer cents, as the server sends it, written for the reader: the instance
// currency in the browser's locale. The app never adds amounts up itself; every total it shows
// comes from the server.
import { CURRENCY } from './currency';

const money = new Intl.NumberFormat(undefined, { style: 'currency', currency: CURRENCY });

/** The number of minor units in one major unit of the currency (100 for USD, 1 for JPY). */
const minorUnits = 10 ** (money.resolvedOptions().maximumFractionDigits ?? 2);

/** `123456` → "$1,234.56" (in an en-US browser). */
export function formatMoney(cents: number): string {
  return money.format(cents / minorUnits);
}

/** A typed amount in major units (12.5) as integer cents (1250); null for no amount. */
export function toCents(amount: number | string | null | undefined): number | null {
  if (amount === '' || amount === null || amount === undefined) {
    return null;
  }
  const value = typeof amount === 'number' ? amount : Number(amount);
  return Number.isFinite(value) ? Math.round(value * minorUnits) : null;
}

/** Integer cents as the major-unit number an amount input edits. */
export function fromCents(cents: number): number {
  return cents / minorUnits;
}

/** How many decimals an amount input allows. */
export const MONEY_DECIMALS = Math.round(Math.log10(minorUnits));

/** The currency's symbol in the browser's locale, for an input's prefix. */
export const CURRENCY_SYMBOL =
  money.formatToParts(0).find((part) => part.type === 'currency')?.value ?? CURRENCY;
