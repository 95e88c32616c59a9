// Loading state, API errors and short notices, shared by every page.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` now and whenever `deps` change; a late answer to an older request is dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => mine === generation.current && setState({ data, loading: false }),
      (error: unknown) => mine === generation.current && setState({ error: asApiError(error), loading: false }),
    );
  }, deps);
  useEffect(run, [run]);
  return { data: state.data, error: state.error, loading: state.loading, reload: run };
}

export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new ApiError(0, { type: 'about:blank', status: 0, title: 'Something went wrong', detail, errors: [] });
}

/** What a page shows before its data arrives or when it could not be loaded. */
export function LoadState({ error, onRetry }: { error: ApiError | undefined; onRetry?: () => void }) {
  if (!error) return <p class="muted" role="status">Loading…</p>;
  if (error.status === 401) return <p class="muted" role="status">Your sign-in has expired; signing in again…</p>;
  return (
    <div class="alert error" role="alert">
      <p class="alert-title">{error.problem.title}</p>
      {error.problem.detail && <p>{error.problem.detail}</p>}
      {onRetry && error.status !== 404 && (
        <button type="button" class="secondary small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/**
 * The problem at the top of a form: its title and detail, and the field errors the form
 * has no field for (the others are shown next to their field).
 */
export function FormProblem({ error, fields }: { error: ApiError | undefined; fields: readonly string[] }) {
  const box = useRef<HTMLDivElement>(null);
  // Bring a new problem into view: the submit button may be far below it.
  useEffect(() => box.current?.focus(), [error]);
  if (!error || error.status === 401) return null;
  const byField = error.fieldErrors();
  const elsewhere = Object.entries(byField).filter(([field]) => !fields.includes(field));
  const shownNextToFields = Object.keys(byField).length > elsewhere.length;
  // With field errors, `detail` only repeats them: each is shown next to its field or listed here.
  return (
    <div class="alert error" role="alert" tabIndex={-1} ref={box}>
      <p class="alert-title">{shownNextToFields ? 'Please correct the fields marked below.' : error.problem.title}</p>
      {Object.keys(byField).length === 0 && error.problem.detail && <p>{error.problem.detail}</p>}
      {elsewhere.length > 0 && (
        <ul>
          {elsewhere.map(([field, detail]) => (
            <li key={field}>
              <code>{field}</code>: {detail}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'success' | 'error'; children: ComponentChildren }) {
  return (
    <div class={`alert ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** Runs a form submission: busy while it runs, its `ApiError` kept for the form. */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, fieldErrors: error?.fieldErrors() ?? {}, run };
}
