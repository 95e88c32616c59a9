// The one client of the admin API: typed from the generated OpenAPI document, sends the
// access token, and turns every answer other than 2xx into an `ApiError` (RFC 9457).
import createClient from 'openapi-fetch';
import { apiBase } from '../auth/config';
import { accessToken, onUnauthorized } from '../auth/session';
import type { paths } from './schema';
import type { Problem } from './types';

export const api = createClient<paths>({ baseUrl: apiBase.href, headers: { Accept: 'application/json' } });

api.use({
  onRequest({ request }) {
    const token = accessToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
});

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail || problem.title);
  }

  /**
   * Messages per form field from `errors[]`, one line each; `redirect_uris[1]` counts as
   * `redirect_uris`.
   */
  fieldErrors(): Record<string, string> {
    const byField: Record<string, string> = {};
    for (const { field, detail } of this.problem.errors ?? []) {
      const name = field.split(/[.[/]/)[0] ?? field;
      byField[name] = byField[name] ? `${byField[name]}\n${detail}` : detail;
    }
    return byField;
  }
}

/** The session ended or the user is no admin: the app shell replaces the page. */
type AuthListener = (event: 'forbidden' | 'rejected') => void;
let authListener: AuthListener = () => {};
export function onAuthProblem(listener: AuthListener): void {
  authListener = listener;
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a 2xx answer; anything else throws an `ApiError`. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch {
    throw new ApiError(0, { type: 'about:blank', status: 0, title: 'The hub could not be reached', detail: 'Check the network and try again.', errors: [] });
  }
  const { data, error, response } = answer;
  if (response.ok) return data as T;
  const problem = asProblem(error, response);
  if (response.status === 401) {
    void onUnauthorized().then((outcome) => outcome === 'rejected' && authListener('rejected'));
  } else if (response.status === 403) {
    void checkAdministrator();
  }
  throw new ApiError(response.status, problem);
}

let checking: Promise<void> | undefined;

/**
 * A 403 means "not an administrator" only if `/me` is refused too; otherwise it is about
 * the one operation, and the page shows it like any other problem.
 */
function checkAdministrator(): Promise<void> {
  checking ??= api
    .GET('/me')
    .then(({ response }) => {
      if (response.status === 403) authListener('forbidden');
    })
    .catch(() => {})
    .finally(() => {
      checking = undefined;
    });
  return checking;
}

function asProblem(error: unknown, response: Response): Problem {
  if (error && typeof error === 'object' && 'title' in error && typeof error.title === 'string') {
    return error as Problem;
  }
  const detail = typeof error === 'string' && error.length < 300 ? error : '';
  return { type: 'about:blank', status: response.status, title: response.statusText || `Error ${response.status}`, detail, errors: [] };
}
