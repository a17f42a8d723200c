/**
 * The admin API over fetch. Every call carries `Authorization: Bearer <admin token>`; every
 * answer that is not 2xx becomes an ApiError with the gateway's `message` and field-level
 * `errors` (`{"message", "errors": [{"field", "message"}]}`), so forms can show each one next to
 * its field.
 */
export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: readonly FieldError[] = [],
    readonly body?: unknown,
  ) {
    super(message);
  }

  /** The token is missing, wrong, or this caller may not use the admin API. */
  get isAuth(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export interface RawAnswer {
  status: number;
  /** Parsed JSON when the body was JSON, its text otherwise. */
  body: unknown;
  ms: number;
}

export interface Api {
  get<T>(path: string): Promise<T>;
  send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /**
   * Any request, answered as it came (no ApiError): the Send test page shows it verbatim. The
   * admin token goes along only when `withToken` (never to the CleverTap endpoint).
   */
  raw(method: string, path: string, body: unknown, headers: Record<string, string>, withToken?: boolean): Promise<RawAnswer>;
}

export function createApi(token: string): Api {
  const authorization: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { ...authorization, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (error) {
      throw new ApiError(0, `the gateway did not answer (${(error as Error).message})`);
    }
    const parsed = await parseBody(response);
    if (!response.ok) {
      const problem = (parsed ?? {}) as { message?: unknown; errors?: unknown };
      const message = typeof problem.message === 'string' ? problem.message : `${method} ${path} answered ${response.status}`;
      const errors = Array.isArray(problem.errors) ? problem.errors.filter(isFieldError) : [];
      throw new ApiError(response.status, message, errors, parsed);
    }
    return parsed as T;
  }

  return {
    get: (path) => call('GET', path),
    send: (method, path, body) => call(method, path, body),
    async raw(method, path, body, headers, withToken = false) {
      const started = performance.now();
      const response = await fetch(path, {
        method,
        headers: { 'content-type': 'application/json', ...(withToken ? authorization : {}), ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const parsed = await parseBody(response);
      return { status: response.status, body: parsed, ms: Math.round(performance.now() - started) };
    },
  };
}

async function parseBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isFieldError(value: unknown): value is FieldError {
  return typeof value === 'object' && value !== null && typeof (value as FieldError).field === 'string' && typeof (value as FieldError).message === 'string';
}
