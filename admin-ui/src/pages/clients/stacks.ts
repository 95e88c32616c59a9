// The app stacks the hub has a guide for (docs/apps/<guide>.md in the repository): what
// each guide registers at the hub, which the client form fills in, and what the app is
// configured with, which the "Configure your app" panel shows. A new stack is one entry
// here. The hub does not store a client's stack: this browser remembers it per client.
import type { AuthMethod, Client } from '../../api/types';
import { discoveryUrl } from '../../auth/config';
import type { ProviderMetadata } from '../../auth/discovery';
import type { ClientValues } from './values';

export type StackId =
  | 'flask-oidc'
  | 'django'
  | 'node-openid-client'
  | 'spa-oidc-client-ts'
  | 'frappe'
  | 'espocrm'
  | 'rust-openidconnect'
  | 'other';

/** What the panel reads of a client: a stored one, or the one just created. */
export type AppClient = Pick<
  Client,
  'client_id' | 'token_endpoint_auth_method' | 'id_token_signed_response_alg' | 'backchannel_logout_claims' | 'skip_authorization'
>;

/** One value to paste, under the name the app gives it; `secret` stands for the client secret. */
export type Setting = { name: string; hint?: string } & ({ value: string | undefined } | { secret: true });

type Preset = Pick<
  ClientValues,
  'token_endpoint_auth_method' | 'id_token_signed_response_alg' | 'grant_types' | 'skip_authorization' | 'backchannel_logout_claims'
>;

export interface Stack {
  label: string;
  /** The guide's file name in docs/apps/, and the example's folder in examples/ if there is one. */
  guide?: string;
  example?: string;
  /** The client settings the guide registers. */
  preset: Preset;
  /** The app's URIs, as paths joined to the base URL the administrator types in once. */
  uris?: { label: string; hint: string; redirect: string[]; postLogout: string; backchannel?: string };
  /** A choice of the app's that changes what the hub must send it. */
  option?: { label: string; hint: string; choices: { value: string; label: string }[]; values: (choice: string) => Partial<ClientValues> };
  /** Where in the app the settings go. */
  where: string;
  settings: (hub: ProviderMetadata, client: AppClient) => Setting[];
}

const GRANTS: Preset['grant_types'] = ['authorization_code', 'refresh_token'];
/** What a guide registers: its client authentication, the code flow with refresh tokens, RS256 unless it says otherwise. */
const registers = (method: AuthMethod, overrides: Partial<Preset> = {}): Preset => ({
  token_endpoint_auth_method: method,
  id_token_signed_response_alg: 'RS256',
  grant_types: [...GRANTS],
  skip_authorization: false,
  backchannel_logout_claims: '',
  ...overrides,
});
const APP_URL = 'The address users reach the app at, e.g. https://app.example.com: fills in the URIs below.';
const SCOPES = 'openid profile email';
/** openid-client's helper for each method it can authenticate with a secret. */
const OPENID_CLIENT_AUTH: Partial<Record<AuthMethod, string>> = {
  client_secret_basic: 'client.ClientSecretBasic(APP_CLIENT_SECRET)',
  client_secret_post: 'client.ClientSecretPost(APP_CLIENT_SECRET)',
};

/** The examples' settings: every example app reads the same three environment variables. */
function environment(hub: ProviderMetadata, client: AppClient, issuerHint: string, withSecret = true): Setting[] {
  return [
    { name: 'HUB_ISSUER', value: hub.issuer, hint: issuerHint },
    { name: 'APP_CLIENT_ID', value: client.client_id },
    ...(withSecret ? [{ name: 'APP_CLIENT_SECRET', secret: true as const }] : []),
  ];
}

export const STACKS: Record<StackId, Stack> = {
  'flask-oidc': {
    label: 'Flask-OIDC',
    guide: 'flask-oidc',
    example: 'flask-oidc',
    preset: registers('client_secret_post'),
    uris: { label: 'The app’s base URL', hint: APP_URL, redirect: ['/oidc/authorize'], postLogout: '/', backchannel: '/backchannel-logout' },
    where: 'The example app reads the first three from its environment; in your own app they are the issuer, client_id and client_secret of OIDC_CLIENT_SECRETS["web"].',
    settings: (hub, client) => [
      ...environment(hub, client, 'Flask-OIDC reads the endpoints from the hub’s discovery document.'),
      {
        name: 'OIDC_INTROSPECTION_AUTH_METHOD',
        value: ['client_secret_post', 'client_secret_basic'].includes(client.token_endpoint_auth_method) ? client.token_endpoint_auth_method : undefined,
        hint: 'Flask-OIDC authenticates at the token and introspection endpoints with it: the method the client registered.',
      },
      { name: 'OIDC_SCOPES', value: SCOPES },
    ],
  },
  django: {
    label: 'Django (mozilla-django-oidc)',
    guide: 'django',
    example: 'django',
    preset: registers('client_secret_basic'),
    uris: { label: 'The app’s base URL', hint: APP_URL, redirect: ['/oidc/callback/'], postLogout: '/', backchannel: '/backchannel-logout' },
    where: 'In settings.py. The example app reads HUB_ISSUER, APP_CLIENT_ID and APP_CLIENT_SECRET from its environment and the endpoints from the discovery document.',
    settings: (hub, client) => [
      { name: 'HUB_ISSUER', value: hub.issuer, hint: 'The hub’s issuer: the ID token’s iss.' },
      { name: 'OIDC_RP_CLIENT_ID', value: client.client_id },
      { name: 'OIDC_RP_CLIENT_SECRET', secret: true },
      { name: 'OIDC_OP_AUTHORIZATION_ENDPOINT', value: hub.authorization_endpoint },
      { name: 'OIDC_OP_TOKEN_ENDPOINT', value: hub.token_endpoint },
      { name: 'OIDC_OP_USER_ENDPOINT', value: hub.userinfo_endpoint },
      { name: 'OIDC_OP_JWKS_ENDPOINT', value: hub.jwks_uri },
      { name: 'OIDC_RP_SIGN_ALGO', value: client.id_token_signed_response_alg, hint: 'The client’s ID token signature (the library’s default is HS256).' },
      { name: 'OIDC_TOKEN_USE_BASIC_AUTH', value: client.token_endpoint_auth_method === 'client_secret_basic' ? 'True' : 'False' },
      { name: 'OIDC_RP_SCOPES', value: SCOPES },
      { name: 'end_session_endpoint', value: hub.end_session_endpoint, hint: 'Where the function OIDC_OP_LOGOUT_URL_METHOD names sends the browser to log out.' },
    ],
  },
  'node-openid-client': {
    label: 'Node (openid-client)',
    guide: 'node-openid-client',
    example: 'node-openid-client',
    preset: registers('client_secret_basic'),
    uris: { label: 'The app’s base URL', hint: APP_URL, redirect: ['/callback'], postLogout: '/', backchannel: '/backchannel-logout' },
    where: 'The example app reads them from its environment and passes them to client.discovery().',
    settings: (hub, client) => [
      ...environment(hub, client, 'client.discovery() reads the endpoints from the hub’s discovery document.'),
      {
        name: 'Client authentication',
        value: OPENID_CLIENT_AUTH[client.token_endpoint_auth_method],
        hint: 'The fourth argument of client.discovery(): the method the client registered.',
      },
    ],
  },
  'spa-oidc-client-ts': {
    label: 'Browser app (oidc-client-ts)',
    guide: 'spa-oidc-client-ts',
    example: 'spa-oidc-client-ts',
    preset: registers('none'),
    uris: { label: 'The app’s base URL', hint: APP_URL, redirect: ['/callback', '/silent-renew.html'], postLogout: '/' },
    where: 'The UserManager’s authority and client_id; the example app reads them from its environment. A public client has no secret.',
    settings: (hub, client) => environment(hub, client, 'The UserManager’s authority.', false),
  },
  frappe: {
    label: 'Frappe',
    guide: 'frappe',
    example: 'frappe',
    preset: registers('client_secret_post', { id_token_signed_response_alg: 'HS256' }),
    uris: {
      label: 'The Frappe site’s URL',
      hint: 'The address users reach the site at, e.g. https://erp.example.com: fills in the URIs below.',
      redirect: ['/api/method/frappe.www.login.login_via_frappe'],
      postLogout: '/',
    },
    where: 'In the site’s desk: Integrations → Social Login Key → New, with Enable Social Login checked. Leave Provider Name and Redirect URL as Frappe fills them in.',
    settings: (hub, client) => [
      { name: 'Social Login Provider', value: 'Frappe' },
      { name: 'Client ID', value: client.client_id },
      { name: 'Client Secret', secret: true },
      { name: 'Base URL', value: new URL(hub.issuer).origin, hint: 'The hub’s origin, not its issuer: Frappe’s paths live at the root of the hub’s host.' },
    ],
  },
  espocrm: {
    label: 'EspoCRM',
    guide: 'espocrm',
    preset: registers('client_secret_post', { skip_authorization: true }),
    uris: {
      label: 'EspoCRM’s Site URL',
      hint: 'As in Administration → Settings, without a trailing slash: fills in the URIs below.',
      redirect: ['/oauth-callback.php'],
      postLogout: '',
      backchannel: '/api/v1/Oidc/backchannelLogout',
    },
    option: {
      label: 'EspoCRM’s username claim',
      hint: 'Its OIDC Username Claim. Logout tokens always carry sub; for another claim the hub adds it, so EspoCRM finds the user to sign out.',
      choices: [
        { value: 'sub', label: 'sub (EspoCRM’s default): the hub’s user id' },
        { value: 'preferred_username', label: 'preferred_username: the hub’s username' },
      ],
      values: (choice) => ({ backchannel_logout_claims: choice === 'sub' ? '' : choice }),
    },
    where: 'In Administration → Authentication, with Method OIDC: the OIDC panel.',
    settings: (hub, client) => [
      { name: 'OIDC Client ID', value: client.client_id },
      { name: 'OIDC Client Secret', secret: true },
      { name: 'OIDC Authorization Endpoint', value: hub.authorization_endpoint },
      { name: 'OIDC Token Endpoint', value: hub.token_endpoint },
      { name: 'OIDC UserInfo Endpoint', value: hub.userinfo_endpoint, hint: 'Optional: the ID token carries the same claims.' },
      { name: 'OIDC JSON Web Key Set Endpoint', value: hub.jwks_uri },
      { name: 'OIDC JWT Allowed Signature Algorithms', value: client.id_token_signed_response_alg },
      { name: 'OIDC Username Claim', value: client.backchannel_logout_claims[0] ?? 'sub', hint: 'The claim the client’s logout tokens carry besides sub, or sub.' },
      // EspoCRM replaces {clientId} and {siteUrl} itself, so they stay as they are here.
      { name: 'OIDC Logout URL', value: hub.end_session_endpoint && `${hub.end_session_endpoint}?client_id={clientId}&post_logout_redirect_uri={siteUrl}` },
      client.skip_authorization
        ? { name: 'OIDC Authorization Prompt', value: 'consent', hint: 'EspoCRM’s default; the client skips the consent page.' }
        : { name: 'OIDC Authorization Prompt', value: 'login', hint: 'With consent (the default), the hub would ask on every sign-in, since the client does not skip the consent page.' },
    ],
  },
  'rust-openidconnect': {
    label: 'Rust (openidconnect)',
    guide: 'rust-openidconnect',
    example: 'rust-openidconnect',
    preset: registers('client_secret_basic'),
    uris: { label: 'The app’s base URL', hint: APP_URL, redirect: ['/callback'], postLogout: '/', backchannel: '/backchannel-logout' },
    where: 'The example app reads them from its environment; the issuer is the IssuerUrl it discovers the hub with.',
    settings: (hub, client) => environment(hub, client, 'The crate reads the endpoints from the hub’s discovery document.'),
  },
  other: {
    label: 'Other OIDC client',
    preset: registers('client_secret_basic'),
    where: 'Most libraries need only the issuer, the client ID and the secret: they read the rest from the discovery document.',
    settings: (hub, client) => [
      { name: 'Issuer', value: hub.issuer },
      { name: 'Discovery document', value: discoveryUrl.href },
      { name: 'Client ID', value: client.client_id },
      { name: 'Client secret', secret: true },
      { name: 'Client authentication', value: client.token_endpoint_auth_method, hint: 'The hub accepts only the method the client registered.' },
      { name: 'ID token signature', value: client.id_token_signed_response_alg },
      { name: 'Authorization endpoint', value: hub.authorization_endpoint },
      { name: 'Token endpoint', value: hub.token_endpoint },
      { name: 'UserInfo endpoint', value: hub.userinfo_endpoint },
      { name: 'JWKS URI', value: hub.jwks_uri },
      { name: 'End-session endpoint', value: hub.end_session_endpoint },
    ],
  },
};

export const STACK_OPTIONS = (Object.keys(STACKS) as StackId[]).map((value) => ({ value, label: STACKS[value].label }));

const isStack = (value: string | null): value is StackId => value !== null && Object.hasOwn(STACKS, value);

/** The redirect, post-logout and back-channel URIs of `base`; nothing while it is empty. */
export function urisOf(stack: Stack, base: string): Partial<ClientValues> {
  const root = base.trim().replace(/\/+$/, '');
  if (!stack.uris || !root) return {};
  const { redirect, postLogout, backchannel } = stack.uris;
  return {
    redirect_uris: redirect.map((path) => root + path).join('\n'),
    post_logout_redirect_uris: root + postLogout,
    backchannel_logout_uri: backchannel ? root + backchannel : '',
  };
}

/** Whether the client authenticates with a secret (which the hub shows only once). */
export const hasSecret = (client: AppClient) =>
  ['client_secret_basic', 'client_secret_post', 'client_secret_jwt'].includes(client.token_endpoint_auth_method);

// The stack a client was created for, in localStorage: a preference of this browser, not a
// secret, and the hub has nowhere to keep it.
const key = (clientId: string) => `hub-admin.stack.${clientId}`;

export function rememberedStack(clientId: string): StackId {
  try {
    const value = localStorage.getItem(key(clientId));
    return isStack(value) ? value : 'other';
  } catch {
    return 'other';
  }
}

/** Remembers `stack` for the client; "Other OIDC client", the default, or none, forgets it. */
export function rememberStack(clientId: string, stack: StackId | undefined): void {
  try {
    if (!stack || stack === 'other') localStorage.removeItem(key(clientId));
    else localStorage.setItem(key(clientId), stack);
  } catch {
    // Storage refused (private mode, a quota): the panel falls back to "Other OIDC client".
  }
}
