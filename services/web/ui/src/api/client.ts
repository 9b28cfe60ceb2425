// The one place that talks to the BillTracker API. Pages call it through
// TanStack Query; nothing else in the app calls fetch.
//
// Every mutating call carries the CSRF token in `x-csrf-token`. The token is fetched once, when
// the app starts (`prefetchCsrfToken`), and kept in memory (its cookie is HttpOnly). When the server answers
// CSRF_INVALID, because the cookie expired or was replaced, a new token is fetched and the
// call is sent once more.

/** The body of every error answer from the server. */
interface ErrorBody {
  error: {
    code: string;
    message: string;
    field?: string | null;
  };
}

/** Raised for every failed call: an error answer, or no answer at all (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The request field the error is about, when the server names one. */
  readonly field: string | undefined;
  /** From `Retry-After` on a 429: how many seconds to wait before trying again. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    field?: string,
    retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Whether retrying the same request cannot help (the request itself was refused). */
  get isClientError(): boolean {
    return this.status >= 400 && this.status < 500;
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface RequestOptions {
  body?: unknown;
  /** A multipart form, such as a file upload, sent in place of a JSON body. */
  form?: FormData;
  signal?: AbortSignal;
}

export const api = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, options),
  post: <T>(path: string, options?: RequestOptions) => request<T>('POST', path, options),
  put: <T>(path: string, options?: RequestOptions) => request<T>('PUT', path, options),
  patch: <T>(path: string, options?: RequestOptions) => request<T>('PATCH', path, options),
  delete: <T>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
  /** POSTs a multipart form (a file upload); the browser writes its content type. */
  upload: <T>(path: string, form: FormData, options?: { signal?: AbortSignal }) =>
    request<T>('POST', path, { ...options, form }),
};

async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  let response: Response;
  if (method === 'GET') {
    response = await send(method, path, options);
  } else {
    const token = csrfToken();
    response = await send(method, path, options, await token);

    if (response.status === 403) {
      const error = await errorFrom(response);
      if (error.code !== 'CSRF_INVALID') {
        throw error;
      }
      forgetCsrfToken(token);
      response = await send(method, path, options, await csrfToken());
    }
  }

  if (!response.ok) {
    throw await errorFrom(response);
  }

  if (response.status === 204) {
    return undefined as T;
  }
  return (await response.json()) as T;
}

/** This page's token, in memory only; undefined until the app asks for it at start. */
let currentCsrfToken: Promise<string> | undefined;

/**
 * Fetches the CSRF token at start, so the first change a person makes does not wait for it. A
 * failure is forgotten: the first mutation then asks again and reports its own error.
 */
export function prefetchCsrfToken() {
  csrfToken().catch(() => undefined);
}

function csrfToken(): Promise<string> {
  if (currentCsrfToken === undefined) {
    const token = request<{ token: string }>('GET', '/api/auth/csrf-token').then(
      (answer) => answer.token,
    );
    // A failed fetch is not remembered: the next mutation asks again.
    token.catch(() => forgetCsrfToken(token));
    currentCsrfToken = token;
  }
  return currentCsrfToken;
}

/** Drops `token` unless a newer one has already replaced it (two calls failing at once). */
function forgetCsrfToken(token: Promise<string>) {
  if (currentCsrfToken === token) {
    currentCsrfToken = undefined;
  }
}

async function send(
  method: Method,
  path: string,
  options: RequestOptions,
  csrf?: string,
): Promise<Response> {
  const headers = new Headers({ accept: 'application/json' });
  if (options.body !== undefined) {
    headers.set('content-type', 'application/json');
  }
  if (csrf !== undefined) {
    headers.set('x-csrf-token', csrf);
  }

  try {
    return await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      ...(options.form !== undefined && { body: options.form }),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') {
      throw cause;
    }
    throw new ApiError(
      0,
      'NETWORK_ERROR',
      'The server did not answer. Check your connection and try again.',
    );
  }
}

async function errorFrom(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => undefined);
  const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));

  if (isErrorBody(body)) {
    const { code, message, field } = body.error;
    return new ApiError(response.status, code, message, field ?? undefined, retryAfter);
  }
  // Not an answer from billtracker-web itself, e.g. a proxy in front of it.
  return new ApiError(
    response.status,
    'HTTP_ERROR',
    `The server answered ${response.status} ${response.statusText}`.trim(),
    undefined,
    retryAfter,
  );
}

/** `Retry-After` is either a number of seconds or an HTTP date. */
function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null || header.trim() === '') {
    return undefined;
  }
  const seconds = Number(header);
  if (Number.isFinite(seconds)) {
    return Math.max(0, Math.ceil(seconds));
  }
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== 'object' || body === null || !('error' in body)) {
    return false;
  }
  const error = body.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    'message' in error &&
    typeof error.message === 'string'
  );
}
