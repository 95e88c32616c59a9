// The hub's token signing keys, one active key per algorithm: rotate them all to new
// active keys; each previous one stays published until the tokens it signed have
// expired, and can be retired early.
import { useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import type { SigningKey } from '../api/types';
import { ConfirmButton } from '../components/dialogs';
import { LoadState, Notice, useLoad } from '../components/feedback';
import { Badge, Empty, PageTitle, When } from '../components/layout';

const TONE = { active: 'good', retiring: 'warn', retired: 'neutral' } as const;

export function SigningKeys() {
  const list = useLoad(() => unwrap(api.GET('/keys')), []);
  const [rotated, setRotated] = useState<SigningKey[] | undefined>();
  const keys = list.data?.items;
  return (
    <>
      <PageTitle title="Signing keys">
        <ConfirmButton
          label="Rotate now"
          title="Rotate the signing keys?"
          confirmLabel="Rotate"
          danger={false}
          onConfirm={async () => {
            setRotated((await unwrap(api.POST('/keys/rotate', { params: { query: {} } }))).items);
            list.reload();
          }}
        >
          <p>
            A new key of each algorithm signs every token from now on. The current keys stay published in the JWKS until the
            tokens they signed have expired, so apps keep accepting them.
          </p>
        </ConfirmButton>
      </PageTitle>
      <p class="lead">Keys that sign ID tokens and access tokens, published in the hub’s JWKS.</p>
      {rotated && (
        <Notice kind="success">
          New active keys:{' '}
          {rotated.map((key, i) => (
            <>
              {i > 0 && ', '}
              <code>{key.kid}</code> ({key.alg})
            </>
          ))}
          .
        </Notice>
      )}
      {!keys ? (
        <LoadState error={list.error} onRetry={list.reload} />
      ) : keys.length === 0 ? (
        <Empty>No signing keys yet: the hub creates one when it first signs a token.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Key ID</th>
              <th scope="col">Algorithm</th>
              <th scope="col">State</th>
              <th scope="col">Created</th>
              <th scope="col">Rotated</th>
              <th scope="col">Published until</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.kid}>
                <td>
                  <code>{key.kid}</code>
                </td>
                <td>{key.alg}</td>
                <td>
                  <Badge tone={TONE[key.state]}>{key.state}</Badge>
                  {key.published && key.state !== 'active' && <Badge>published</Badge>}
                </td>
                <td>
                  <When value={key.created_at} />
                </td>
                <td>
                  <When value={key.rotated_at} />
                </td>
                <td>{key.state === 'active' ? <span class="muted">—</span> : <When value={key.publish_until} />}</td>
                <td class="actions">
                  {key.state === 'retiring' && (
                    <ConfirmButton
                      label="Retire"
                      small
                      ariaLabel={`Retire key ${key.kid}`}
                      title="Retire this key now?"
                      confirmLabel="Retire key"
                      onConfirm={async () => {
                        await unwrap(api.POST('/keys/{kid}/retire', { params: { path: { kid: key.kid } } }));
                        list.reload();
                      }}
                    >
                      <p>
                        <code>{key.kid}</code> is removed from the JWKS at once: tokens it signed that have not expired yet
                        stop being accepted by apps.
                      </p>
                    </ConfirmButton>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
