// The currency every amount of this instance is in.
//
// TODO: the server has a CURRENCY setting (default USD) but no endpoint tells the browser
// about it yet. When one does, read it here (one query) and keep `CURRENCY` as the fallback;
// every amount in the app is formatted through src/money/format.ts, so this is the one place
// to change.
export const CURRENCY = 'USD';
