// Clients (the apps that sign users in through the hub): list, create, edit, rotate the
// secret, delete. A new or rotated secret is shown once; a new client's, with the values to
// paste into the app of the stack chosen on creation ("Configure your app").
import { useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client';
import type { Client } from '../../api/types';
import { ConfirmButton, SecretDialog } from '../../components/dialogs';
import { LoadState, Notice, useLoad } from '../../components/feedback';
import { Badge, Empty, PageTitle, Pagination, When } from '../../components/layout';
import { SearchBox } from '../../components/search';
import { href, navigate, pageOf, queryObject } from '../../router';
import { ConfigureApp } from './configure';
import { bodyOf, ClientForm, NEW_CLIENT, valuesOf } from './form';
import { type AppClient, rememberStack, type StackId } from './stacks';

const isPublic = (client: Client) => client.token_endpoint_auth_method === 'none';

export function ClientList({ query }: { query: URLSearchParams }) {
  const search = query.get('search') ?? '';
  const { limit, offset } = pageOf(query);
  const list = useLoad(
    () => unwrap(api.GET('/clients', { params: { query: { search: search || undefined, limit, offset } } })),
    [search, limit, offset],
  );
  return (
    <>
      <PageTitle title="Clients">
        <a class="button" href={href(['clients', 'new'])}>
          New client
        </a>
      </PageTitle>
      <SearchBox id="client-search" label="Search clients" value={search} onSearch={(value) => navigate(['clients'], { search: value })} />
      {!list.data ? (
        <LoadState error={list.error} onRetry={list.reload} />
      ) : list.data.items.length === 0 ? (
        <Empty>{search ? 'No client matches the search.' : 'No clients yet.'}</Empty>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Client ID</th>
                <th scope="col">Type</th>
                <th scope="col">Grant types</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((client) => (
                <tr key={client.client_id}>
                  <td>
                    <a href={href(['client', client.client_id])}>{client.client_name}</a>
                    {client.built_in && <Badge>built-in</Badge>}
                  </td>
                  <td>
                    <code>{client.client_id}</code>
                  </td>
                  <td>{isPublic(client) ? 'Public' : 'Confidential'}</td>
                  <td>{client.grant_types.join(', ')}</td>
                  <td>
                    <When value={client.updated_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pagination page={list.data} limit={limit} offset={offset} path={['clients']} query={queryObject(query)} />
        </>
      )}
    </>
  );
}

interface Shown {
  title: string;
  clientId: string;
  secret: string;
  /** A new client: the dialog shows its "Configure your app" panel. */
  created?: AppClient;
}

export function ClientNew() {
  const [secret, setSecret] = useState<Shown | undefined>();
  const [stack, setStack] = useState<StackId>('other');
  return (
    <>
      <PageTitle title="New client" back={{ to: href(['clients']), label: 'Clients' }} />
      <ClientForm
        initial={NEW_CLIENT}
        creating
        submitLabel="Create client"
        onStack={setStack}
        onSubmit={async (values) => {
          const created = await unwrap(
            api.POST('/clients', { body: { ...bodyOf(values), client_id: values.client_id.trim() || undefined } }),
          );
          rememberStack(created.client_id, stack);
          if (created.client_secret) {
            setSecret({ title: 'Client created', clientId: created.client_id, secret: created.client_secret, created });
          } else {
            navigate(['client', created.client_id]);
          }
        }}
      />
      {secret && (
        <SecretDialog title={secret.title} clientId={secret.clientId} secret={secret.secret} onDone={() => navigate(['client', secret.clientId])}>
          {secret.created && <ConfigureApp client={secret.created} secret={secret.secret} />}
        </SecretDialog>
      )}
    </>
  );
}

export function ClientEdit({ clientId }: { clientId: string }) {
  const client = useLoad(() => unwrap(api.GET('/clients/{client_id}', { params: { path: { client_id: clientId } } })), [clientId]);
  const [secret, setSecret] = useState<Shown | undefined>();
  const [saved, setSaved] = useState(0);
  const path = { params: { path: { client_id: clientId } } };
  const back = { to: href(['clients']), label: 'Clients' };

  if (!client.data) {
    return (
      <>
        <PageTitle title="Client" back={back} />
        <LoadState error={client.error} onRetry={client.reload} />
      </>
    );
  }
  const current = client.data;
  const rotate = async () => {
    const rotated = await unwrap(api.POST('/clients/{client_id}/secret', path));
    setSecret({ title: 'New client secret', clientId: rotated.client_id, secret: rotated.client_secret });
  };
  const remove = async () => {
    await unwrap(api.DELETE('/clients/{client_id}', path));
    rememberStack(clientId, undefined);
    navigate(['clients']);
  };

  return (
    <>
      <PageTitle title={current.client_name} back={back}>
        {!current.built_in && !isPublic(current) && (
          <ConfirmButton label="Rotate secret" title="Rotate the client secret?" confirmLabel="Rotate secret" danger={false} onConfirm={rotate}>
            <p>
              A new secret replaces the current one at once: <strong>{current.client_name}</strong> cannot authenticate
              until it is configured with the new secret.
            </p>
          </ConfirmButton>
        )}
        {!current.built_in && (
          <ConfirmButton label="Delete" title="Delete this client?" confirmLabel="Delete client" onConfirm={remove}>
            <p>
              <strong>{current.client_name}</strong> (<code>{current.client_id}</code>) will no longer be able to sign users
              in, and its tokens stop working.
            </p>
          </ConfirmButton>
        )}
      </PageTitle>
      <ClientFacts client={current} />
      {current.built_in ? (
        <Notice>This is the admin UI’s own client. The hub manages it; it cannot be edited or deleted here.</Notice>
      ) : (
        <>
          <ConfigureApp client={current} />
          {saved > 0 && <Notice kind="success">Saved.</Notice>}
          <ClientForm
            key={current.updated_at}
            initial={valuesOf(current)}
            creating={false}
            submitLabel="Save changes"
            onSubmit={async (values) => {
              const updated = await unwrap(api.PUT('/clients/{client_id}', { ...path, body: bodyOf(values) }));
              if (updated.client_secret) {
                setSecret({ title: 'Client secret created', clientId: updated.client_id, secret: updated.client_secret });
              }
              setSaved((count) => count + 1);
              client.reload();
            }}
          />
        </>
      )}
      {secret && <SecretDialog {...secret} onDone={() => setSecret(undefined)} />}
    </>
  );
}

function ClientFacts({ client }: { client: Client }) {
  return (
    <dl class="facts">
      <dt>Client ID</dt>
      <dd>
        <code>{client.client_id}</code>
      </dd>
      <dt>Type</dt>
      <dd>{isPublic(client) ? 'Public (PKCE, no secret)' : 'Confidential'}</dd>
      {client.built_in && (
        <>
          <dt>Redirect URIs</dt>
          <dd>{client.redirect_uris.join(', ') || '—'}</dd>
          <dt>Scope</dt>
          <dd>
            <code>{client.scope}</code>
          </dd>
        </>
      )}
      <dt>Created</dt>
      <dd>
        <When value={client.created_at} />
      </dd>
      <dt>Updated</dt>
      <dd>
        <When value={client.updated_at} />
      </dd>
    </dl>
  );
}
