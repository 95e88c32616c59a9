// The app: sign in first, then the shell (header, navigation, the routed page). A user who
// is signed in but not an administrator gets a refusal page, never a redirect loop.
import { useEffect, useState } from 'preact/hooks';
import { onAuthProblem } from './api/client';
import { boot, type BootResult } from './auth/session';
import { Shell } from './shell';
import { Failed, Forbidden, Rejected, SignedOut, Splash } from './pages/auth';

export function App() {
  const [state, setState] = useState<BootResult | undefined>();
  const [authProblem, setAuthProblem] = useState<'forbidden' | 'rejected' | undefined>();

  useEffect(() => {
    onAuthProblem(setAuthProblem);
    boot().then(setState, (error: unknown) =>
      setState({
        kind: 'failed',
        title: 'The hub could not be reached',
        detail: error instanceof Error ? error.message : String(error),
      }),
    );
  }, []);

  if (!state || state.kind === 'redirecting') return <Splash />;
  if (state.kind === 'failed') return <Failed title={state.title} detail={state.detail} />;
  if (state.kind === 'signed-out') return <SignedOut />;
  if (authProblem === 'forbidden') return <Forbidden />;
  if (authProblem === 'rejected') return <Rejected />;
  return <Shell />;
}
