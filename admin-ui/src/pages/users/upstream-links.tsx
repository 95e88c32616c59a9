// A user's upstream identities: the sign-ins at Social Login Keys that sign in as this
// user, with the upstream's issuer and subject, and the unlink (the identity's next
// sign-in is then a first one).
import { api, unwrap } from '../../api/client';
import { ConfirmButton } from '../../components/dialogs';
import { LoadState, useLoad } from '../../components/feedback';
import { When } from '../../components/layout';

export function UpstreamLinksPanel({ userId, username }: { userId: string; username: string }) {
  const path = { params: { path: { id: userId } } };
  const links = useLoad(() => unwrap(api.GET('/users/{id}/upstream-identities', path)), [userId]);
  if (!links.data) return <LoadState error={links.error} onRetry={links.reload} />;
  if (links.data.length === 0) return <p>No upstream sign-ins.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Upstream subject</th>
          <th scope="col">E-mail</th>
          <th scope="col">Last sign-in</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {links.data.map((link) => (
          <tr key={link.id}>
            <td>{link.social_login_key}</td>
            <td>
              <code title={link.issuer}>{link.subject}</code>
            </td>
            <td>{link.email ?? '—'}</td>
            <td>
              <When value={link.last_login_at} />
            </td>
            <td>
              <ConfirmButton
                label={`Unlink ${link.social_login_key}`}
                title="Unlink this upstream identity?"
                confirmLabel="Unlink"
                danger
                small
                onConfirm={async () => {
                  const linkPath = { params: { path: { id: userId, link_id: link.id } } };
                  await unwrap(api.DELETE('/users/{id}/upstream-identities/{link_id}', linkPath));
                  links.reload();
                }}
              >
                <p>
                  The {link.social_login_key} identity <code>{link.subject}</code> no longer signs in as{' '}
                  <strong>{username}</strong>; its next sign-in is treated as a first one.
                </p>
              </ConfirmButton>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
