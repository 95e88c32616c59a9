// Remembered consents of one user: revoking one makes the app ask again next time.
import { api, unwrap } from '../api/client';
import { ConfirmButton } from '../components/dialogs';
import { LoadState, useLoad } from '../components/feedback';
import { Empty, When } from '../components/layout';
import { href } from '../router';

export function ConsentTable({ userId, username }: { userId: string; username: string }) {
  const list = useLoad(() => unwrap(api.GET('/consents', { params: { query: { user_id: userId, limit: 200 } } })), [userId]);
  if (!list.data) return <LoadState error={list.error} onRetry={list.reload} />;
  if (list.data.items.length === 0) return <Empty>No remembered consents.</Empty>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Client</th>
          <th scope="col">Scopes</th>
          <th scope="col">Granted</th>
          <th scope="col">Expires</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {list.data.items.map((consent) => (
          <tr key={consent.id}>
            <td>
              <a href={href(['client', consent.client_id])}>
                <code>{consent.client_id}</code>
              </a>
            </td>
            <td>{consent.scope.join(' ')}</td>
            <td>
              <When value={consent.granted_at} />
            </td>
            <td>
              <When value={consent.expires_at} />
            </td>
            <td class="actions">
              <ConfirmButton
                label="Revoke"
                small
                ariaLabel={`Revoke the consent for ${consent.client_id}`}
                title="Revoke this consent?"
                confirmLabel="Revoke consent"
                onConfirm={async () => {
                  await unwrap(api.DELETE('/consents/{id}', { params: { path: { id: consent.id } } }));
                  list.reload();
                }}
              >
                <p>
                  <code>{consent.client_id}</code> will ask <strong>{username}</strong> for consent again at the next
                  sign-in.
                </p>
              </ConfirmButton>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
