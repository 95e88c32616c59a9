// Social Login Keys (upstream identity providers): list, create, edit, test, delete.
import { useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client';
import { CopyField } from '../../components/copy';
import { ConfirmButton } from '../../components/dialogs';
import { LoadState, Notice, useLoad } from '../../components/feedback';
import { Badge, Empty, PageTitle, Pagination, When } from '../../components/layout';
import { href, navigate, pageOf, queryObject } from '../../router';
import { bodyOf, KeyForm, NEW_KEY, valuesOf } from './form';
import { KINDS } from './kinds';
import { TestConnection } from './test-report';

export function SocialLoginKeyList({ query }: { query: URLSearchParams }) {
  const { limit, offset } = pageOf(query);
  const list = useLoad(() => unwrap(api.GET('/social-login-keys', { params: { query: { limit, offset } } })), [limit, offset]);
  return (
    <>
      <PageTitle title="Social login keys">
        <a class="button" href={href(['social-login-keys', 'new'])}>
          New social login key
        </a>
      </PageTitle>
      <p class="lead">Upstream identity providers users can sign in with (“Continue with …” on the hub’s sign-in page).</p>
      {!list.data ? (
        <LoadState error={list.error} onRetry={list.reload} />
      ) : list.data.items.length === 0 ? (
        <Empty>No social login keys yet: users sign in with a hub password only.</Empty>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Display name</th>
                <th scope="col">Slug</th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((key) => (
                <tr key={key.slug}>
                  <td>
                    <a href={href(['social-login-key', key.slug])}>{key.display_name}</a>
                  </td>
                  <td>
                    <code>{key.slug}</code>
                  </td>
                  <td>{KINDS[key.kind]?.label ?? key.kind}</td>
                  <td>
                    {key.enabled ? <Badge tone="good">enabled</Badge> : <Badge>disabled</Badge>}
                    {key.allow_signup && <Badge>sign-up</Badge>}
                    {!key.has_client_secret && <Badge tone="warn">no secret</Badge>}
                  </td>
                  <td>
                    <When value={key.updated_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pagination page={list.data} limit={limit} offset={offset} path={['social-login-keys']} query={queryObject(query)} />
        </>
      )}
    </>
  );
}

export function SocialLoginKeyNew() {
  return (
    <>
      <PageTitle title="New social login key" back={{ to: href(['social-login-keys']), label: 'Social login keys' }} />
      <KeyForm
        initial={NEW_KEY}
        submitLabel="Create social login key"
        onSubmit={async (values) => {
          const created = await unwrap(api.POST('/social-login-keys', { body: { ...bodyOf(values), slug: values.slug.trim() } }));
          navigate(['social-login-key', created.slug]);
        }}
      />
    </>
  );
}

export function SocialLoginKeyEdit({ slug }: { slug: string }) {
  const path = { params: { path: { slug } } };
  const key = useLoad(() => unwrap(api.GET('/social-login-keys/{slug}', path)), [slug]);
  const [saved, setSaved] = useState(false);
  const back = { to: href(['social-login-keys']), label: 'Social login keys' };
  if (!key.data) {
    return (
      <>
        <PageTitle title="Social login key" back={back} />
        <LoadState error={key.error} onRetry={key.reload} />
      </>
    );
  }
  const current = key.data;
  return (
    <>
      <PageTitle title={current.display_name} back={back}>
        <ConfirmButton
          label="Delete"
          title="Delete this social login key?"
          confirmLabel="Delete social login key"
          onConfirm={async () => {
            await unwrap(api.DELETE('/social-login-keys/{slug}', path));
            navigate(['social-login-keys']);
          }}
        >
          <p>
            “Continue with {current.display_name}” disappears from the sign-in page. Users who signed in only through it
            can no longer sign in until they get a password or another provider.
          </p>
        </ConfirmButton>
      </PageTitle>
      <dl class="facts">
        <dt>Slug</dt>
        <dd>
          <code>{current.slug}</code>
        </dd>
        <dt>Client secret</dt>
        <dd>{current.has_client_secret ? 'stored' : 'none'}</dd>
        <dt>Created</dt>
        <dd>
          <When value={current.created_at} />
        </dd>
        <dt>Updated</dt>
        <dd>
          <When value={current.updated_at} />
        </dd>
      </dl>
      <div class="panel callout">
        <CopyField id="redirect_uri" label="Redirect URI to register at the provider" value={current.redirect_uri} />
        <CopyField id="backchannel_logout_uri" label="Back-channel logout URI to register at the provider" value={current.backchannel_logout_uri} />
        {current.end_upstream_session && (
          <CopyField id="post_logout_redirect_uri" label="Post-logout redirect URI to register at the provider" value={current.post_logout_redirect_uri} />
        )}
      </div>
      {saved && <Notice kind="success">Saved.</Notice>}
      <KeyForm
        key={current.updated_at}
        initial={valuesOf(current)}
        hasSecret={current.has_client_secret}
        submitLabel="Save changes"
        onSubmit={async (values) => {
          await unwrap(api.PUT('/social-login-keys/{slug}', { ...path, body: bodyOf(values) }));
          setSaved(true);
          key.reload();
        }}
      />
      <TestConnection slug={current.slug} />
    </>
  );
}
