// The audit log: who did what, newest first, with filters kept in the route.
import { useEffect, useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import type { Outcome } from '../api/types';
import { LoadState, useLoad } from '../components/feedback';
import { Badge, Empty, PageTitle, Pagination, When } from '../components/layout';
import { navigate, pageOf, queryObject } from '../router';

const FILTERS = ['action', 'actor', 'user_id', 'client_id', 'outcome', 'since', 'until'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

/** `<input type="datetime-local">` is local time without a zone; the API wants RFC 3339. */
const toInstant = (local: string) => (local ? new Date(local).toISOString() : undefined);
const toLocal = (instant: string) => {
  const date = new Date(instant);
  if (!instant || Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
};

export function AuditLog({ query }: { query: URLSearchParams }) {
  const filters = Object.fromEntries(FILTERS.map((name) => [name, query.get(name) ?? ''])) as Filters;
  const { limit, offset } = pageOf(query);
  const key = FILTERS.map((name) => filters[name]).join('\n');
  const list = useLoad(
    () =>
      unwrap(
        api.GET('/audit-events', {
          params: {
            query: {
              action: filters.action || undefined,
              actor: filters.actor || undefined,
              user_id: filters.user_id || undefined,
              client_id: filters.client_id || undefined,
              outcome: (filters.outcome || undefined) as Outcome | undefined,
              since: filters.since || undefined,
              until: filters.until || undefined,
              limit,
              offset,
            },
          },
        }),
      ),
    [key, limit, offset],
  );
  return (
    <>
      <PageTitle title="Audit log" />
      <AuditFilters filters={filters} />
      {!list.data ? (
        <LoadState error={list.error} onRetry={list.reload} />
      ) : list.data.items.length === 0 ? (
        <Empty>No events match.</Empty>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Outcome</th>
                <th scope="col">Actor</th>
                <th scope="col">Target</th>
                <th scope="col">Address</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((event) => (
                <tr key={event.id}>
                  <td>
                    <When value={event.occurred_at} />
                  </td>
                  <td>
                    <code>{event.action}</code>
                  </td>
                  <td>{event.outcome === 'success' ? <Badge tone="good">success</Badge> : <Badge tone="bad">failure</Badge>}</td>
                  <td>{event.actor}</td>
                  <td>
                    {[event.target, event.user_id && `user ${event.user_id}`, event.client_id && `client ${event.client_id}`]
                      .filter(Boolean)
                      .join(' · ') || '—'}
                  </td>
                  <td>{event.address ?? '—'}</td>
                  <td class="detail">{event.detail ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pagination page={list.data} limit={limit} offset={offset} path={['audit']} query={queryObject(query)} />
        </>
      )}
    </>
  );
}

function AuditFilters({ filters }: { filters: Filters }) {
  const fromRoute = { ...filters, since: toLocal(filters.since), until: toLocal(filters.until) };
  const [values, setValues] = useState(fromRoute);
  useEffect(() => setValues(fromRoute), FILTERS.map((name) => filters[name]));
  const text = (name: 'action' | 'actor' | 'user_id' | 'client_id', label: string) => (
    <div>
      <label for={`audit-${name}`}>{label}</label>
      <input id={`audit-${name}`} type="search" value={values[name]} onInput={(event) => setValues({ ...values, [name]: event.currentTarget.value })} />
    </div>
  );
  const when = (name: 'since' | 'until', label: string) => (
    <div>
      <label for={`audit-${name}`}>{label}</label>
      <input id={`audit-${name}`} type="datetime-local" value={values[name]} onInput={(event) => setValues({ ...values, [name]: event.currentTarget.value })} />
    </div>
  );
  return (
    <form
      class="filters"
      role="search"
      aria-label="Filter the audit log"
      onSubmit={(event) => {
        event.preventDefault();
        navigate(['audit'], { ...values, since: toInstant(values.since), until: toInstant(values.until) });
      }}
    >
      {text('action', 'Action')}
      {text('actor', 'Actor')}
      {text('user_id', 'User ID')}
      {text('client_id', 'Client ID')}
      <div>
        <label for="audit-outcome">Outcome</label>
        <select id="audit-outcome" value={values.outcome} onChange={(event) => setValues({ ...values, outcome: event.currentTarget.value })}>
          <option value="">Any</option>
          <option value="success">Success</option>
          <option value="failure">Failure</option>
        </select>
      </div>
      {when('since', 'Since')}
      {when('until', 'Until')}
      <div class="filter-buttons">
        <button type="submit" class="secondary">
          Filter
        </button>
        <a href="#/audit">Clear</a>
      </div>
    </form>
  );
}
