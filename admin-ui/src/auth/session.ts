// Signing in to the hub as the public client `hub-admin`: authorization code flow with
// PKCE (S256), state and nonce, `iss` checked (RFC 9207); and RP-initiated sign-out.
import { adminBase, clientId, scope } from './config';
import { discover } from './discovery';
import { jwtClaims, randomToken, s256 } from './pkce';
import { store } from './storage';

/** What the page shows once `boot()` has settled. */
export type BootResult =
  | { kind: 'ready' }
  | { kind: 'redirecting' }
  | { kind: 'signed-out' }
  | { kind: 'failed'; title: string; detail: string };

/** A 401 this soon after signing in means the API will never accept the token: stop. */
const LOOP_GUARD_MS = 15_000;
/** Sign in again slightly before the access token expires, not after a failed call. */
const EXPIRY_MARGIN_MS = 10_000;

export async function boot(): Promise<BootResult> {
  const params = new URLSearchParams(location.search);
  if (params.has('code') || params.has('error')) return completeSignIn(params);
  if (store.takeSignedOut()) return { kind: 'signed-out' };
  if (accessToken()) return { kind: 'ready' };
  await startSignIn();
  return { kind: 'redirecting' };
}

/** The current access token, unless it has expired. */
export function accessToken(): string | undefined {
  const tokens = store.tokens();
  if (!tokens || tokens.expiresAt - EXPIRY_MARGIN_MS <= Date.now()) return undefined;
  return tokens.accessToken;
}

/** Who the ID token says is signed in, for the header and the refusal page. */
export function signedInAs(): string | undefined {
  const claims = jwtClaims(store.tokens()?.idToken);
  for (const name of ['preferred_username', 'name', 'email', 'sub']) {
    const value = claims[name];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

/** The hub session (`sid`) behind the access token, to mark "this browser" among sessions. */
export function currentSid(): string | undefined {
  const sid = jwtClaims(store.tokens()?.accessToken).sid;
  return typeof sid === 'string' ? sid : undefined;
}

let redirecting: Promise<void> | undefined;

/** Sends the browser to the hub's authorization endpoint (once, however many callers ask). */
export function startSignIn(): Promise<void> {
  redirecting ??= redirectToHub().finally(() => {
    redirecting = undefined;
  });
  return redirecting;
}

async function redirectToHub(): Promise<void> {
  const metadata = await discover();
  const pending = {
    state: randomToken(16),
    nonce: randomToken(16),
    verifier: randomToken(32),
    returnTo: location.hash,
  };
  store.setPending(pending);
  const url = new URL(metadata.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: adminBase.href,
    scope,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await s256(pending.verifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.href);
}

/**
 * The API refused the token (401). Sign in again, which the hub's SSO session makes
 * instant, unless the token is brand new: then signing in again would loop.
 */
export async function onUnauthorized(): Promise<'redirecting' | 'rejected'> {
  const tokens = store.tokens();
  store.clearTokens();
  if (tokens && Date.now() - tokens.obtainedAt < LOOP_GUARD_MS) return 'rejected';
  await startSignIn();
  return 'redirecting';
}

export async function signOut(): Promise<void> {
  const idToken = store.tokens()?.idToken;
  store.clearAll();
  store.markSignedOut();
  const metadata = await discover().catch(() => undefined);
  if (!metadata?.end_session_endpoint) {
    location.assign(adminBase.href);
    return;
  }
  const url = new URL(metadata.end_session_endpoint);
  const params = new URLSearchParams({ client_id: clientId, post_logout_redirect_uri: adminBase.href });
  if (idToken) params.set('id_token_hint', idToken);
  url.search = params.toString();
  location.assign(url.href);
}

async function completeSignIn(params: URLSearchParams): Promise<BootResult> {
  const pending = store.takePending();
  // Whatever happens next, the code and state must not stay in the address bar.
  history.replaceState(null, '', adminBase.href + (pending?.returnTo ?? ''));
  const failed = (title: string, detail: string): BootResult => ({ kind: 'failed', title, detail });

  if (!pending || params.get('state') !== pending.state) {
    return failed('Sign-in could not be completed', 'The sign-in response does not match a sign-in started in this tab.');
  }
  const metadata = await discover();
  const iss = params.get('iss');
  if (iss !== null ? iss !== metadata.issuer : metadata.authorization_response_iss_parameter_supported === true) {
    return failed('Sign-in could not be completed', 'The sign-in response came from an unexpected issuer.');
  }
  const error = params.get('error');
  if (error !== null) {
    const description = params.get('error_description');
    return error === 'access_denied'
      ? failed('Sign-in was cancelled', description ?? 'The hub did not grant access to the admin UI.')
      : failed('Sign-in failed', description ? `${error}: ${description}` : error);
  }

  const response = await fetch(metadata.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code') ?? '',
      redirect_uri: adminBase.href,
      client_id: clientId,
      code_verifier: pending.verifier,
    }),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== 'string') {
    const reason = [body.error, body.error_description].filter((part) => typeof part === 'string').join(': ');
    return failed('Sign-in failed', reason || `The token endpoint answered ${response.status}.`);
  }
  const idToken = typeof body.id_token === 'string' ? body.id_token : undefined;
  if (jwtClaims(idToken).nonce !== pending.nonce) {
    return failed('Sign-in failed', 'The ID token does not carry the nonce of this sign-in.');
  }
  const now = Date.now();
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 300;
  store.setTokens({ accessToken: body.access_token, idToken, expiresAt: now + expiresIn * 1000, obtainedAt: now });
  return { kind: 'ready' };
}
