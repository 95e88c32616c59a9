// Hub SSO sessions: who is signed in where; revoking one signs that browser out.
import { api, unwrap } from '../api/client';
import type { Session } from '../api/types';
import { currentSid } from '../auth/session';
import { ConfirmButton } from '../components/dialogs';
import { LoadState, useLoad } from '../components/feedback';
import { Badge, Empty, PageTitle, Pagination, When } from '../components/layout';
import { href, pageOf, queryObject } from '../router';

export function SessionList({ query }: { query: URLSearchParams }) {
  const userId = query.get('user_id') ?? undefined;
  const { limit, offset } = pageOf(query);
  return (
    <>
      <PageTitle title="Sessions" />
      <p class="lead">Browsers signed in to the hub. Revoking a session signs that browser out of the hub; apps keep their own sessions until their tokens expire.</p>
      {userId && (
        <p class="filter-note">
          Showing one user’s sessions. <a href={href(['sessions'])}>Show everyone’s</a>
        </p>
      )}
      <SessionTable userId={userId} limit={limit} offset={offset} paging={{ path: ['sessions'], query }} />
    </>
  );
}

/** The sessions of everyone or of one user, with a Revoke button on each. */
export function SessionTable(props: { userId?: string | undefined; limit?: number; offset?: number; paging?: { path: string[]; query: URLSearchParams } }) {
  const { userId, limit = 50, offset = 0, paging } = props;
  const list = useLoad(() => unwrap(api.GET('/sessions', { params: { query: { user_id: userId, limit, offset } } })), [userId, limit, offset]);
  const mine = currentSid();
  if (!list.data) return <LoadState error={list.error} onRetry={list.reload} />;
  if (list.data.items.length === 0) return <Empty>No active sessions.</Empty>;
  const revoke = async (session: Session) => {
    await unwrap(api.DELETE('/sessions/{sid}', { params: { path: { sid: session.sid } } }));
    list.reload();
  };
  return (
    <>
      <table>
        <thead>
          <tr>
            {!userId && <th scope="col">User</th>}
            <th scope="col">Signed in</th>
            <th scope="col">Expires</th>
            <th scope="col">Methods</th>
            <th scope="col">Address</th>
            <th scope="col">Browser</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.data.items.map((session) => (
            <SessionRow key={session.sid} session={session} showUser={!userId} mine={session.sid === mine} onRevoke={() => revoke(session)} />
          ))}
        </tbody>
      </table>
      {paging && <Pagination page={list.data} limit={limit} offset={offset} path={paging.path} query={queryObject(paging.query)} />}
    </>
  );
}

function SessionRow({ session, showUser, mine, onRevoke }: { session: Session; showUser: boolean; mine: boolean; onRevoke: () => Promise<void> }) {
  const who = session.username ?? session.user_id;
  const badge = mine && <Badge tone="good">this browser</Badge>;
  return (
    <tr>
      {showUser && (
        <td>
          <a href={href(['user', session.user_id])}>{who}</a>
          {badge}
        </td>
      )}
      <td>
        <When value={session.auth_time} />
        {!showUser && badge}
      </td>
      <td>
        <When value={session.expires_at} />
      </td>
      <td>{session.amr.join(', ') || '—'}</td>
      <td>{session.address ?? '—'}</td>
      <td class="truncate" title={session.user_agent ?? undefined}>
        {session.user_agent ?? '—'}
      </td>
      <td class="actions">
        <ConfirmButton
          label="Revoke"
          small
          ariaLabel={`Revoke the session of ${who}`}
          title="Revoke this session?"
          confirmLabel="Revoke session"
          onConfirm={onRevoke}
        >
          <p>
            <strong>{who}</strong> will be signed out of the hub in that browser
            {mine ? ' — this is your own session: you will have to sign in again' : ''}.
          </p>
        </ConfirmButton>
      </td>
    </tr>
  );
}
