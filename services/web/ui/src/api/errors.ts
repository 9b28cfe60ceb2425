import { ApiError } from './client';

/** A sentence for the user about a failed call, in place of a raw error. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'RATE_LIMITED') {
      return `Too many attempts. ${tryAgainIn(error.retryAfterSeconds)}`;
    }
    return sentence(error.message);
  }
  return error instanceof Error ? sentence(error.message) : 'Something went wrong. Try again.';
}

/**
 * The server's message for one of `fields` when the error names that field, so a form can show
 * it under the input rather than above the form.
 */
export function fieldError<Field extends string>(
  error: unknown,
  fields: readonly Field[],
): { field: Field; message: string } | undefined {
  if (error instanceof ApiError && error.field !== undefined) {
    const field = fields.find((name) => name === error.field);
    if (field !== undefined) {
      return { field, message: sentence(error.message) };
    }
  }
  return undefined;
}

/** Whether `error` is an API error answer with this code. */
export function hasCode(error: unknown, code: string): error is ApiError {
  return error instanceof ApiError && error.code === code;
}

function tryAgainIn(seconds: number | undefined): string {
  if (seconds === undefined) {
    return 'Wait a few minutes and try again.';
  }
  if (seconds < 60) {
    return seconds <= 1 ? 'Try again in a second.' : `Try again in ${seconds} seconds.`;
  }
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? 'Try again in 1 minute.' : `Try again in ${minutes} minutes.`;
}

/** The server writes its messages in lower case, to fit in logs; the UI starts them upper case. */
function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}
