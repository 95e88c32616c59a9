// The app's one UserManager, shared by the main page and the silent-renew page.
import config from '/config.js';

const { UserManager } = window.oidc; // from the browser build, loaded before this module

const origin = window.location.origin;

export const userManager = new UserManager({
  authority: config.issuer, // discovery: {issuer}/.well-known/openid-configuration
  client_id: config.client_id, // a public client: no secret; PKCE (S256) is always on
  redirect_uri: `${origin}/callback`,
  silent_redirect_uri: `${origin}/silent-renew.html`, // only the iframe renew uses it
  post_logout_redirect_uri: `${origin}/`,
  response_type: 'code',
  scope: 'openid profile email',
  // The profile comes from the ID token; userinfo adds nothing the hub did not put there,
  // but asking for it checks that the hub's CORS lets the browser read it.
  loadUserInfo: true,
  // Renew shortly before the access token expires, with the refresh token when the user
  // has one (the hub gives one to clients of the refresh_token grant), else in an iframe.
  automaticSilentRenew: true,
  // Signing out revokes the refresh token (and with it its grant) at the hub first.
  revokeTokensOnSignout: true,
});
