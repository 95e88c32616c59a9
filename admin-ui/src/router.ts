// Hash routing: `#/clients/abc?offset=50`. The page itself is always the admin UI root,
// which is the OAuth redirect URI, so no route ever needs the hub's index.html fallback.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** Decoded path segments: `#/clients/abc` is `['clients', 'abc']`. */
  path: string[];
  query: URLSearchParams;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [pathPart = '', queryPart = ''] = raw.split('?', 2);
  const path = pathPart.split('/').filter(Boolean).map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  });
  return { path, query: new URLSearchParams(queryPart) };
}

/** `href(['clients', id], { offset: 50 })` → `#/clients/<id>?offset=50`; empty values are left out. */
export function href(path: string[], query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '' && value !== false) params.set(name, String(value));
  }
  const search = params.toString();
  return `#/${path.map(encodeURIComponent).join('/')}${search ? `?${search}` : ''}`;
}

export function navigate(path: string[], query: Query = {}, replace = false): void {
  const target = href(path, query);
  if (replace) {
    history.replaceState(null, '', target);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = target;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

/** A list's `limit` and `offset` from the route's query, within the API's bounds. */
export function pageOf(query: URLSearchParams, defaultLimit = 50): { limit: number; offset: number } {
  const limit = Number.parseInt(query.get('limit') ?? '', 10);
  const offset = Number.parseInt(query.get('offset') ?? '', 10);
  return {
    limit: Number.isFinite(limit) && limit >= 1 && limit <= 200 ? limit : defaultLimit,
    offset: Number.isFinite(offset) && offset >= 0 ? offset : 0,
  };
}

/** The query as a plain object, for building links that keep the other filters. */
export function queryObject(query: URLSearchParams): Query {
  return Object.fromEntries(query.entries());
}
