//! Every path the hub serves, relative to the issuer. The router and the discovery
//! document both read them from here, so they cannot disagree.

pub const DISCOVERY: &str = "/.well-known/openid-configuration";
pub const JWKS: &str = "/jwks.json";
pub const AUTHORIZE: &str = "/authorize";
pub const TOKEN: &str = "/token";
pub const USERINFO: &str = "/userinfo";
pub const END_SESSION: &str = "/logout";
pub const INTROSPECTION: &str = "/introspect";
pub const REVOCATION: &str = "/revoke";
/// Pushed authorization requests (RFC 9126).
pub const PAR: &str = "/par";
/// The device authorization endpoint (RFC 8628 §3.1), and the page where a person enters
/// the user code (its `verification_uri`).
pub const DEVICE_AUTHORIZATION: &str = "/device_authorization";
pub const DEVICE: &str = "/device";
/// Dynamic registration (RFC 7591) and, per client, its management (RFC 7592).
pub const REGISTRATION: &str = "/register";
pub const REGISTRATION_CLIENT: &str = "/register/:client_id";
/// Interaction pages that `/authorize` sends the browser to.
pub const LOGIN: &str = "/login";
pub const CONSENT: &str = "/consent";
/// The second factor after the password, and its enrolment where one is required.
pub const SECOND_FACTOR: &str = "/login/second-factor";
pub const SECOND_FACTOR_ENROLMENT: &str = "/login/second-factor/enrol";
/// Where a signed-in user enrols a second factor of their own accord.
pub const ACCOUNT_SECOND_FACTOR: &str = "/account/second-factor";
/// The account page (SPEC §7a) and its forms; it signs in through `/authorize` as the
/// built-in client `hub-account`, whose code comes back to `ACCOUNT_CALLBACK`.
pub const ACCOUNT: &str = "/account";
pub const ACCOUNT_CALLBACK: &str = "/account/callback";
pub const ACCOUNT_PROFILE: &str = "/account/profile";
pub const ACCOUNT_EMAIL: &str = "/account/email";
pub const ACCOUNT_PASSWORD: &str = "/account/password";
pub const ACCOUNT_SESSIONS: &str = "/account/sessions";
pub const ACCOUNT_CONSENTS: &str = "/account/consents";
pub const ACCOUNT_UPSTREAMS: &str = "/account/upstreams";
pub const ACCOUNT_UPSTREAMS_LINK: &str = "/account/upstreams/link";
pub const ACCOUNT_SECOND_FACTOR_REMOVE: &str = "/account/second-factor/remove";
/// "Forgot your password?": asks for a reset link.
pub const ACCOUNT_RESET: &str = "/account/reset-password";
/// Self-registration, where the deployment allows it.
pub const ACCOUNT_SIGN_UP: &str = "/account/sign-up";
/// The page of an e-mailed link: `/account/link/{token}`.
pub const ACCOUNT_LINK: &str = "/account/link";
/// Passkeys: the passwordless sign-in of the login page and the passkey as the second
/// factor (each the options for the browser, then its answer), and a signed-in user's own
/// list (its registration options beside it).
pub const PASSKEY_SIGN_IN: &str = "/login/passkey";
pub const PASSKEY_SIGN_IN_OPTIONS: &str = "/login/passkey/options";
pub const SECOND_FACTOR_PASSKEY: &str = "/login/second-factor/passkey";
pub const SECOND_FACTOR_PASSKEY_OPTIONS: &str = "/login/second-factor/passkey/options";
/// A passkey created at the flow's enrolment, as the first second factor.
pub const ENROLMENT_PASSKEY: &str = "/login/second-factor/enrol/passkey";
pub const ENROLMENT_PASSKEY_OPTIONS: &str = "/login/second-factor/enrol/passkey/options";
pub const ACCOUNT_PASSKEYS: &str = "/account/passkeys";
pub const ACCOUNT_PASSKEYS_OPTIONS: &str = "/account/passkeys/options";
pub const STATIC: &str = "/static";
pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";
/// Prometheus metrics, when `HUB_METRICS` serves them on the main listener.
pub const METRICS: &str = "/metrics";

/// Where an upstream sends the browser back after signing out (for every key).
pub const UPSTREAM_LOGGED_OUT: &str = "/upstream/logged-out";

/// The routes of the federation, with `:slug` for the Social Login Key.
pub const UPSTREAM_START: &str = "/upstream/:slug/start";
pub const UPSTREAM_CALLBACK: &str = "/upstream/:slug/callback";
pub const UPSTREAM_BACKCHANNEL_LOGOUT: &str = "/upstream/:slug/backchannel-logout";
pub const UPSTREAM_SIGN_OUT: &str = "/upstream/:slug/sign-out";

/// One Social Login Key's paths.
pub struct Upstream {
    /// "Continue with …" on the login page.
    pub start: String,
    /// Where the upstream sends the browser back after sign-in (the redirect URI).
    pub callback: String,
    /// Where the upstream posts logout tokens (Back-Channel Logout 1.0).
    pub backchannel_logout: String,
    /// Where a sign-out of a session from this key continues (maybe at the upstream).
    pub sign_out: String,
}

impl Upstream {
    pub fn of(slug: &str) -> Self {
        let path = |route: &str| route.replace(":slug", slug);
        Self {
            start: path(UPSTREAM_START),
            callback: path(UPSTREAM_CALLBACK),
            backchannel_logout: path(UPSTREAM_BACKCHANNEL_LOGOUT),
            sign_out: path(UPSTREAM_SIGN_OUT),
        }
    }
}
