// Hub users: list with filters, create, edit, set the password, their second factor,
// sessions and consents, delete.
import { useEffect, useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client';
import { ConfirmButton } from '../../components/dialogs';
import { LoadState, Notice, useLoad } from '../../components/feedback';
import { Badge, Empty, PageTitle, Pagination, When } from '../../components/layout';
import { href, navigate, pageOf, queryObject } from '../../router';
import { ConsentTable } from '../consents';
import { SessionTable } from '../sessions';
import { bodyOf, NEW_USER, PasswordForm, useGroupNames, UserForm, valuesOf } from './form';
import { EmailLinks } from './email-links';
import { SecondFactorPanel } from './second-factor';
import { UpstreamLinksPanel } from './upstream-links';

export function UserList({ query }: { query: URLSearchParams }) {
  const search = query.get('search') ?? '';
  const group = query.get('group') ?? '';
  const disabled = query.get('disabled') ?? '';
  const { limit, offset } = pageOf(query);
  const list = useLoad(
    () =>
      unwrap(
        api.GET('/users', {
          params: { query: { search: search || undefined, group: group || undefined, disabled: disabled === '' ? undefined : disabled === 'true', limit, offset } },
        }),
      ),
    [search, group, disabled, limit, offset],
  );
  const filtered = Boolean(search || group || disabled);
  return (
    <>
      <PageTitle title="Users">
        <a class="button" href={href(['users', 'new'])}>
          New user
        </a>
      </PageTitle>
      <UserFilters search={search} group={group} disabled={disabled} />
      {!list.data ? (
        <LoadState error={list.error} onRetry={list.reload} />
      ) : list.data.items.length === 0 ? (
        <Empty>{filtered ? 'No user matches the filters.' : 'No users yet.'}</Empty>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Name</th>
                <th scope="col">E-mail</th>
                <th scope="col">Groups</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((user) => (
                <tr key={user.id}>
                  <td>
                    <a href={href(['user', user.id])}>{user.username}</a>
                  </td>
                  <td>{user.name ?? ''}</td>
                  <td>
                    {user.email ?? ''}
                    {user.email && !user.email_verified && <Badge tone="warn">unverified</Badge>}
                  </td>
                  <td>{user.groups.join(', ')}</td>
                  <td>{user.disabled ? <Badge tone="bad">disabled</Badge> : <Badge tone="good">active</Badge>}</td>
                  <td>
                    <When value={user.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pagination page={list.data} limit={limit} offset={offset} path={['users']} query={queryObject(query)} />
        </>
      )}
    </>
  );
}

function UserFilters(props: { search: string; group: string; disabled: string }) {
  const [values, setValues] = useState(props);
  useEffect(() => setValues(props), [props.search, props.group, props.disabled]);
  const groups = useGroupNames();
  return (
    <form
      class="filters"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        navigate(['users'], { ...values, search: values.search.trim() });
      }}
    >
      <div>
        <label for="user-search">Search users</label>
        <input id="user-search" type="search" value={values.search} onInput={(event) => setValues({ ...values, search: event.currentTarget.value })} />
      </div>
      <div>
        <label for="user-group">Group</label>
        <select id="user-group" value={values.group} onChange={(event) => setValues({ ...values, group: event.currentTarget.value })}>
          <option value="">Any group</option>
          {[...new Set([...groups, ...(values.group ? [values.group] : [])])].map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="user-disabled">Status</label>
        <select id="user-disabled" value={values.disabled} onChange={(event) => setValues({ ...values, disabled: event.currentTarget.value })}>
          <option value="">Any</option>
          <option value="false">Active</option>
          <option value="true">Disabled</option>
        </select>
      </div>
      <button type="submit" class="secondary">
        Filter
      </button>
    </form>
  );
}

export function UserNew() {
  return (
    <>
      <PageTitle title="New user" back={{ to: href(['users']), label: 'Users' }} />
      <UserForm
        initial={NEW_USER}
        creating
        submitLabel="Create user"
        onSubmit={async (values) => {
          const created = await unwrap(api.POST('/users', { body: { ...bodyOf(values), password: values.password || undefined } }));
          navigate(['user', created.id]);
        }}
      />
    </>
  );
}

export function UserEdit({ id }: { id: string }) {
  const path = { params: { path: { id } } };
  const user = useLoad(() => unwrap(api.GET('/users/{id}', path)), [id]);
  const [saved, setSaved] = useState(false);
  const [passwordSet, setPasswordSet] = useState(false);
  const back = { to: href(['users']), label: 'Users' };
  if (!user.data) {
    return (
      <>
        <PageTitle title="User" back={back} />
        <LoadState error={user.error} onRetry={user.reload} />
      </>
    );
  }
  const current = user.data;
  return (
    <>
      <PageTitle title={current.username} back={back}>
        <ConfirmButton
          label="Delete"
          title="Delete this user?"
          confirmLabel="Delete user"
          onConfirm={async () => {
            await unwrap(api.DELETE('/users/{id}', path));
            navigate(['users']);
          }}
        >
          <p>
            <strong>{current.username}</strong> is deleted with their sessions, consents and linked upstream identities. To
            only stop them signing in, disable the account instead.
          </p>
        </ConfirmButton>
      </PageTitle>
      <dl class="facts">
        <dt>ID</dt>
        <dd>
          <code>{current.id}</code>
        </dd>
        <dt>Password</dt>
        <dd>{current.has_password || passwordSet ? 'set' : 'none'}</dd>
        <dt>Created</dt>
        <dd>
          <When value={current.created_at} />
        </dd>
        <dt>Updated</dt>
        <dd>
          <When value={current.updated_at} />
        </dd>
      </dl>
      {saved && <Notice kind="success">Saved.</Notice>}
      <UserForm
        key={current.updated_at}
        initial={valuesOf(current)}
        creating={false}
        submitLabel="Save changes"
        onSubmit={async (values) => {
          await unwrap(api.PUT('/users/{id}', { ...path, body: bodyOf(values) }));
          setSaved(true);
          user.reload();
        }}
      />
      <section class="panel" aria-labelledby="password-title">
        <h2 id="password-title">Password</h2>
        <PasswordForm userId={current.id} hasPassword={current.has_password || passwordSet} onDone={() => setPasswordSet(true)} />
      </section>
      <section class="panel" aria-labelledby="email-links-title">
        <h2 id="email-links-title">E-mailed links</h2>
        <EmailLinks userId={current.id} email={current.email ?? undefined} emailVerified={current.email_verified} />
      </section>
      <section class="panel" aria-labelledby="second-factor-title">
        <h2 id="second-factor-title">Second factor</h2>
        <SecondFactorPanel userId={current.id} username={current.username} />
      </section>
      <section class="panel" aria-labelledby="upstreams-title">
        <h2 id="upstreams-title">Upstream sign-ins</h2>
        <UpstreamLinksPanel userId={current.id} username={current.username} />
      </section>
      <section class="panel" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Sessions</h2>
        <SessionTable userId={current.id} />
      </section>
      <section class="panel" aria-labelledby="consents-title">
        <h2 id="consents-title">Consents</h2>
        <ConsentTable userId={current.id} username={current.username} />
      </section>
    </>
  );
}
