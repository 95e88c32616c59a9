// A user's second factor (TOTP with recovery codes): whether one is enrolled, since when,
// the recovery codes left, and the reset for a lost phone (it ends the user's sessions).
import { api, unwrap } from '../../api/client';
import { ConfirmButton } from '../../components/dialogs';
import { LoadState, useLoad } from '../../components/feedback';
import { When } from '../../components/layout';

export function SecondFactorPanel({ userId, username }: { userId: string; username: string }) {
  const path = { params: { path: { id: userId } } };
  const factor = useLoad(() => unwrap(api.GET('/users/{id}/second-factors', path)), [userId]);
  if (!factor.data) return <LoadState error={factor.error} onRetry={factor.reload} />;
  const current = factor.data;
  if (!current.enrolled) return <p>None enrolled.</p>;
  return (
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
          <strong>{username}</strong>'s authenticator and recovery codes stop working and their sessions end. Where a second
          factor is required, their next sign-in sets up a new one.
        </p>
      </ConfirmButton>
    </>
  );
}
