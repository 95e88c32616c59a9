// A user's second factors: the TOTP authenticator (whether one is enrolled, since when,
// the recovery codes left, and the reset for a lost phone) and the user's passkeys (each
// with its removal). Both end the user's sessions.
import { api, unwrap } from '../../api/client';
import { ConfirmButton } from '../../components/dialogs';
import { LoadState, useLoad } from '../../components/feedback';
import { When } from '../../components/layout';
import type { components } from '../../api/schema';

type Passkey = components['schemas']['UserPasskey'];

export function SecondFactorPanel({ userId, username }: { userId: string; username: string }) {
  const path = { params: { path: { id: userId } } };
  const factor = useLoad(() => unwrap(api.GET('/users/{id}/second-factors', path)), [userId]);
  if (!factor.data) return <LoadState error={factor.error} onRetry={factor.reload} />;
  const current = factor.data;
  return (
    <>
      {current.enrolled ? (
        <>
          <dl class="facts">
            <dt>Authenticator</dt>
            <dd>
              enrolled <When value={current.enrolled_at} />
            </dd>
            <dt>Recovery codes left</dt>
            <dd>{current.recovery_codes_left}</dd>
          </dl>
          <ConfirmButton
            label="Reset second factor"
            title="Reset this user's second factor?"
            confirmLabel="Reset"
            onConfirm={async () => {
              await unwrap(api.DELETE('/users/{id}/second-factors', path));
              factor.reload();
            }}
          >
            <p>
              <strong>{username}</strong>'s authenticator and recovery codes stop working and their sessions end. Where a
              second factor is required, their next sign-in sets up a new one.
            </p>
          </ConfirmButton>
        </>
      ) : (
        <p>No authenticator enrolled.</p>
      )}
      <h3>Passkeys</h3>
      {current.passkeys.length === 0 ? (
        <p>No passkeys.</p>
      ) : (
        <ul class="passkeys">
          {current.passkeys.map((passkey) => (
            <PasskeyItem key={passkey.id} passkey={passkey} userId={userId} username={username} onRemoved={factor.reload} />
          ))}
        </ul>
      )}
    </>
  );
}

function PasskeyItem({
  passkey,
  userId,
  username,
  onRemoved,
}: {
  passkey: Passkey;
  userId: string;
  username: string;
  onRemoved: () => void;
}) {
  const path = { params: { path: { id: userId, passkey_id: passkey.id } } };
  return (
    <li>
      <strong>{passkey.name}</strong> ({passkey.synced ? 'synced' : 'one device'}), added <When value={passkey.created_at} />,{' '}
      {passkey.last_used_at ? (
        <>
          last used <When value={passkey.last_used_at} />
        </>
      ) : (
        'never used'
      )}
      <ConfirmButton
        label={`Remove ${passkey.name}`}
        title="Remove this passkey?"
        confirmLabel="Remove"
        danger
        small
        onConfirm={async () => {
          await unwrap(api.DELETE('/users/{id}/second-factors/passkeys/{passkey_id}', path));
          onRemoved();
        }}
      >
        <p>
          <strong>{username}</strong>'s passkey “{passkey.name}” stops working and their sessions end.
        </p>
      </ConfirmButton>
    </li>
  );
}
