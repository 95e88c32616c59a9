// "Test connection": the hub reaches the provider (discovery, JWKS) and reports a checklist.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { api, type ApiError, unwrap } from '../../api/client';
import type { SocialLoginKeyTest } from '../../api/types';
import { asApiError, LoadState } from '../../components/feedback';

const ENDPOINT_LABELS = [
  ['issuer', 'Issuer'],
  ['authorization_endpoint', 'Authorization endpoint'],
  ['token_endpoint', 'Token endpoint'],
  ['userinfo_endpoint', 'UserInfo endpoint'],
  ['jwks_uri', 'JWKS URI'],
  ['end_session_endpoint', 'End-session endpoint'],
] as const;

export function TestConnection({ slug }: { slug: string }) {
  const [report, setReport] = useState<SocialLoginKeyTest | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);

  const test = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setReport(await unwrap(api.POST('/social-login-keys/{slug}/test', { params: { path: { slug } } })));
    } catch (caught) {
      setReport(undefined);
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="test-title">
      <div class="title-row">
        <h2 id="test-title">Connection test</h2>
        <button type="button" class="secondary" disabled={busy} onClick={test}>
          {busy ? 'Testing…' : 'Test connection'}
        </button>
      </div>
      {!report && !error && <p class="muted">Fetches the provider’s metadata and keys from the hub, as a sign-in would.</p>}
      {error && <LoadState error={error} />}
      {report && <Report report={report} />}
    </section>
  );
}

function Report({ report }: { report: SocialLoginKeyTest }) {
  return (
    <div role="status">
      <p class={report.ok ? 'result good' : 'result bad'}>{report.ok ? 'All checks passed.' : 'Some checks failed.'}</p>
      <ul class="checklist">
        {report.checks.map((check) => (
          <li key={check.name} class={check.ok ? 'good' : 'bad'}>
            <span class="mark" aria-hidden="true">
              {check.ok ? '✓' : '✗'}
            </span>
            <span class="visually-hidden">{check.ok ? 'Passed:' : 'Failed:'}</span> <strong>{check.name}</strong>
            {check.detail && <span class="muted"> — {check.detail}</span>}
          </li>
        ))}
      </ul>
      <dl class="facts">
        {ENDPOINT_LABELS.map(([name, label]) =>
          report[name] ? (
            <Fragment key={name}>
              <dt>{label}</dt>
              <dd>
                <code>{report[name]}</code>
              </dd>
            </Fragment>
          ) : null,
        )}
        <dt>Signing algorithms</dt>
        <dd>{report.signing_algs.length ? report.signing_algs.join(', ') : '—'}</dd>
        <dt>Keys</dt>
        <dd>
          {report.keys.length
            ? report.keys.map((key, index) => (
                <span class="keychip" key={key.kid ?? index}>
                  {[key.kid ?? '(no kid)', key.kty, key.alg].filter(Boolean).join(' · ')}
                </span>
              ))
            : '—'}
        </dd>
      </dl>
    </div>
  );
}
