// The single-use links an administrator can e-mail a user: one to choose a new password,
// and one that verifies an unverified address. The hub sends them in the background and
// answers with the address and how long the link works.
import { useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client';
import { FormProblem, Notice, useSubmit } from '../../components/feedback';

interface Props {
  userId: string;
  email: string | undefined;
  emailVerified: boolean;
}

export function EmailLinks({ userId, email, emailVerified }: Props) {
  const [sent, setSent] = useState<string | undefined>();
  const submit = useSubmit();
  const path = { params: { path: { id: userId } } };
  const send = (what: string, request: () => Promise<{ sent_to: string; expires_in: number }>) => {
    setSent(undefined);
    void submit.run(async () => {
      const answer = await request();
      setSent(`A ${what} is on its way to ${answer.sent_to}. It works once, for ${inWords(answer.expires_in)}.`);
    });
  };
  if (!email) return <p>The user has no e-mail address to send a link to.</p>;
  return (
    <>
      <FormProblem error={submit.error} fields={[]} />
      {sent && <Notice kind="success">{sent}</Notice>}
      <div class="form-actions">
        <button
          type="button"
          class="secondary"
          disabled={submit.busy}
          onClick={() => send('password reset link', () => unwrap(api.POST('/users/{id}/password-reset-email', path)))}
        >
          Send a password reset link
        </button>
        {!emailVerified && (
          <button
            type="button"
            class="secondary"
            disabled={submit.busy}
            onClick={() => send('verification link', () => unwrap(api.POST('/users/{id}/verification-email', path)))}
          >
            Send a verification link
          </button>
        )}
      </div>
    </>
  );
}

function inWords(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  if (minutes < 120) return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  return `${Math.floor(minutes / 60)} hours`;
}
