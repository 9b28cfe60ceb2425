// Money in integer minor units (cents), as the server sends it, written for the reader: the
// instance currency in the browser's locale. This is the one place that formats amounts; the
// app never adds amounts up itself, every total it shows comes from the server.
//
// The currency is set once at start (`setCurrency`, from src/main.tsx), before anything is
// rendered; until then, and whenever the server's currency cannot be used, it is the fallback.
import { FALLBACK_CURRENCY } from './currency';

interface CurrencyFormat {
  code: string;
  money: Intl.NumberFormat;
  /** The number of minor units in one major unit (100 for USD, 1 for JPY). */
  minorUnits: number;
  decimals: number;
  symbol: string;
}

let current = currencyFormat(FALLBACK_CURRENCY);

function currencyFormat(code: string): CurrencyFormat {
  const money = new Intl.NumberFormat(undefined, { style: 'currency', currency: code });
  const decimals = money.resolvedOptions().maximumFractionDigits ?? 2;
  const symbol = money.formatToParts(0).find((part) => part.type === 'currency')?.value ?? code;
  return { code, money, minorUnits: 10 ** decimals, decimals, symbol };
}

/**
 * Formats every amount from now on in `code` (ISO 4217). A code the browser cannot format
 * leaves the fallback in place; the answer is the currency in use.
 */
export function setCurrency(code: string): string {
  try {
    current = currencyFormat(code);
  } catch {
    // Intl refuses a malformed code with a RangeError.
    current = currencyFormat(FALLBACK_CURRENCY);
  }
  return current.code;
}

/** The ISO 4217 code amounts are shown in. */
export function currencyCode(): string {
  return current.code;
}

/** `123456` → "$1,234.56" (in an en-US browser, for USD). */
export function formatMoney(cents: number): string {
  return current.money.format(cents / current.minorUnits);
}

/** A typed amount in major units (12.5) as integer cents (1250); null for no amount. */
export function toCents(amount: number | string | null | undefined): number | null {
  if (amount === '' || amount === null || amount === undefined) {
    return null;
  }
  const value = typeof amount === 'number' ? amount : Number(amount);
  return Number.isFinite(value) ? Math.round(value * current.minorUnits) : null;
}

/** Integer cents as the major-unit number an amount input edits. */
export function fromCents(cents: number): number {
  return cents / current.minorUnits;
}

/** How many decimals an amount input allows (2 for USD, 0 for JPY). */
export function moneyDecimals(): number {
  return current.decimals;
}

/** The currency's symbol in the browser's locale ("$", "€", "CHF"), for an input's prefix. */
export function currencySymbol(): string {
  return current.symbol;
}
