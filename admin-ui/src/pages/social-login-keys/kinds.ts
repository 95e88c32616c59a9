// What each kind of Social Login Key needs from the administrator, as the hub's presets
// define it: OpenID Connect kinds discover their endpoints from the issuer (some have a
// default issuer), GitHub's endpoints are fixed, plain OAuth 2.0 needs them spelled out.
// The defaults here are only shown as hints; the hub applies its own to empty fields.
import type { SocialLoginKind } from '../../api/types';

export interface KindInfo {
  label: string;
  issuer: 'required' | 'optional' | 'hidden';
  issuerHint?: string;
  /** `required`: authorization, token and userinfo endpoints must be given; `advanced`: optional overrides. */
  endpoints: 'required' | 'advanced';
  defaultScopes: string;
  defaultUsernameClaim: string;
}

const OPENID = 'openid email profile';

export const KINDS: Record<SocialLoginKind, KindInfo> = {
  oidc: { label: 'OpenID Connect (discovery)', issuer: 'required', issuerHint: 'The provider’s issuer URL; its endpoints are discovered from it.', endpoints: 'advanced', defaultScopes: OPENID, defaultUsernameClaim: 'preferred_username' },
  oauth2: { label: 'OAuth 2.0 (explicit endpoints)', issuer: 'optional', issuerHint: 'Optional for plain OAuth 2.0.', endpoints: 'required', defaultScopes: '', defaultUsernameClaim: 'preferred_username' },
  google: { label: 'Google', issuer: 'hidden', endpoints: 'advanced', defaultScopes: OPENID, defaultUsernameClaim: 'email' },
  microsoft: { label: 'Microsoft Entra ID', issuer: 'optional', issuerHint: 'Empty: the multi-tenant https://login.microsoftonline.com/common/v2.0. For one tenant, put its id in place of common.', endpoints: 'advanced', defaultScopes: OPENID, defaultUsernameClaim: 'preferred_username' },
  github: { label: 'GitHub', issuer: 'hidden', endpoints: 'advanced', defaultScopes: 'read:user user:email', defaultUsernameClaim: 'login' },
  gitlab: { label: 'GitLab', issuer: 'optional', issuerHint: 'Empty: https://gitlab.com. The GitLab URL when self-hosted.', endpoints: 'advanced', defaultScopes: OPENID, defaultUsernameClaim: 'nickname' },
  keycloak: { label: 'Keycloak', issuer: 'required', issuerHint: 'The realm’s URL: https://keycloak.example.com/realms/<realm>', endpoints: 'advanced', defaultScopes: OPENID, defaultUsernameClaim: 'preferred_username' },
  frappe: { label: 'Frappe', issuer: 'required', issuerHint: 'The Frappe site’s URL, e.g. https://erp.example.com', endpoints: 'advanced', defaultScopes: 'openid all', defaultUsernameClaim: 'email' },
  hub: { label: 'Another hub', issuer: 'required', issuerHint: 'The other hub’s issuer URL.', endpoints: 'advanced', defaultScopes: OPENID, defaultUsernameClaim: 'preferred_username' },
};

export const KIND_OPTIONS = (Object.keys(KINDS) as SocialLoginKind[]).map((value) => ({ value, label: KINDS[value].label }));

export const ENDPOINTS = [
  { name: 'authorization_endpoint', label: 'Authorization endpoint', requiredForOauth2: true },
  { name: 'token_endpoint', label: 'Token endpoint', requiredForOauth2: true },
  { name: 'userinfo_endpoint', label: 'UserInfo endpoint', requiredForOauth2: true },
  { name: 'jwks_uri', label: 'JWKS URI', requiredForOauth2: false },
  { name: 'end_session_endpoint', label: 'End-session endpoint', requiredForOauth2: false },
] as const;

export type EndpointName = (typeof ENDPOINTS)[number]['name'];
