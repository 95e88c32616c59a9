// The pages around signing in: waiting, failures, signed out, and "not an administrator".
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { signedInAs, signOut, startSignIn } from '../auth/session';

function Card({ title, children }: { title: string; children?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · hub admin`;
  }, [title]);
  return (
    <main class="auth-card" aria-labelledby="auth-title">
      <p class="brand-line">hub admin</p>
      <h1 id="auth-title">
        {title}
      </h1>
      {children}
    </main>
  );
}

/** A button that shows it is working: the next page is a navigation away. */
function GoButton({ label, action, secondary }: { label: string; action: () => Promise<void>; secondary?: boolean }) {
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | undefined>();
  const go = () => {
    setBusy(true);
    action().catch((error: unknown) => {
      setBusy(false);
      setFailed(error instanceof Error ? error.message : String(error));
    });
  };
  return (
    <>
      <button type="button" class={secondary ? 'secondary' : undefined} disabled={busy} onClick={go}>
        {label}
      </button>
      {failed && (
        <p class="field-error" role="alert">
          {failed}
        </p>
      )}
    </>
  );
}

export function Splash() {
  return (
    <Card title="Signing in…">
      <p class="muted" role="status">
        Taking you to the hub's sign-in page.
      </p>
    </Card>
  );
}

export function Failed({ title, detail }: { title: string; detail: string }) {
  return (
    <Card title={title}>
      <p class="alert error" role="alert">
        {detail}
      </p>
      <GoButton label="Sign in again" action={startSignIn} />
    </Card>
  );
}

export function SignedOut() {
  return (
    <Card title="You are signed out">
      <p class="muted">You have signed out of the hub.</p>
      <GoButton label="Sign in" action={startSignIn} />
    </Card>
  );
}

export function Forbidden() {
  const who = signedInAs();
  return (
    <Card title="Not an administrator">
      <p class="alert error" role="alert">
        You are signed in{who ? <> as <strong>{who}</strong></> : ''} but you are not an administrator (member of the{' '}
        <code>admins</code> group).
      </p>
      <p class="muted">Ask an administrator to add you to the group, or sign in as another user.</p>
      <GoButton label="Sign out" action={signOut} />
    </Card>
  );
}

export function Rejected() {
  return (
    <Card title="Sign-in not accepted">
      <p class="alert error" role="alert">
        The admin API did not accept the hub's sign-in. The admin UI's client or the hub's configuration may be wrong;
        see the hub's log.
      </p>
      <div class="button-row">
        <GoButton label="Sign in again" action={startSignIn} />
        <GoButton label="Sign out" action={signOut} secondary />
      </div>
    </Card>
  );
}
