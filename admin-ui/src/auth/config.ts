// Where the admin UI lives and how it identifies itself to the hub. The hub registers the
// `hub-admin` client itself, with the admin UI root as its only redirect URI.

/** The admin UI root, e.g. `https://id.example.com/admin/` (always ends with a slash). */
export const adminBase = new URL('./', location.origin + location.pathname);

/** The admin API, `{adminBase}api/v1/`; the OpenAPI document's paths are relative to it. */
export const apiBase = new URL('api/v1/', adminBase);

/** The admin UI is served at `{issuer}/admin/`, so discovery is one level up. */
export const discoveryUrl = new URL('../.well-known/openid-configuration', adminBase);

export const clientId = 'hub-admin';
export const scope = 'openid profile';
