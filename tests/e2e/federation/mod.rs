//! Federation (SPEC §5): the hub signs people in at an upstream OpenID Provider, npm's
//! `oidc-provider` with its own login pages, and the app (the `openidconnect` crate) only
//! ever talks to the hub.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use e2e::admin::AdminApi;
use e2e::browser::Page;
use e2e::rp::{AppClient, app_client};
use e2e::upstream::OidcProvider;
use e2e::{Browser, TestHub};
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{AuthType, CsrfToken, Nonce, OAuth2TokenResponse, PkceCodeChallenge, Scope, TokenResponse};
use reqwest::StatusCode;
use serde_json::{Value, json};

mod account_links;
mod linking;
mod logout;
mod presets;
mod routing;
mod second_factor;

const REDIRECT: &str = "http://127.0.0.1:9/callback";

/// A hub with one upstream (`corp`), and a way to make apps.
struct Federation {
    hub: TestHub,
    upstream: OidcProvider,
    admin: AdminApi,
}

impl Federation {
    /// The hub, the upstream, and the key `corp` with `settings` over sensible defaults.
    async fn start(settings: Value) -> Self {
        Self::start_signing("RS256", settings).await
    }

    /// As `start`, the upstream signing the hub's ID tokens with `alg`.
    async fn start_signing(alg: &str, settings: Value) -> Self {
        crate::backend();
        let hub = TestHub::spawn_with(&[("HUB_METRICS", "true")]).await;
        let upstream = OidcProvider::start_signing(
            &hub.url("/upstream/corp/callback"),
            Some(&hub.url("/upstream/corp/backchannel-logout")),
            alg,
        );
        let admin = AdminApi::new(&hub);
        let mut key = json!({
            "slug": "corp",
            "display_name": "Corp SSO",
            "kind": "oidc",
            "issuer": upstream.issuer,
            "client_id": upstream.client_id,
            "client_secret": upstream.client_secret,
            "scopes": ["openid", "email", "profile", "groups"],
            "enabled": true,
            "allow_signup": true,
        });
        key.as_object_mut().unwrap().extend(settings.as_object().cloned().unwrap_or_default());
        admin.post("/social-login-keys", key).await.ok(StatusCode::CREATED);
        Self { hub, upstream, admin }
    }

    async fn app(&self, policy: Value) -> AppClient {
        register_app(&self.hub, &self.admin, policy).await
    }

    async fn user_id(&self, username: &str) -> String {
        user_id(&self.admin, username).await
    }

    /// Where following the redirect `first` leads once past the hub's own hops: the hub
    /// sends a browser to an upstream only through that key's path on the hub
    /// (`/upstream/{slug}/start` to sign in, `/upstream/{slug}/sign-out` to sign out).
    async fn past_the_hub(&self, browser: &Browser, first: Page) -> String {
        let hops = self.hub.url("/upstream/");
        let mut page = first;
        loop {
            let location = page.location().unwrap_or_else(|| panic!("a redirect: {} {}", page.status, page.body));
            if !(location.starts_with(&hops) && (location.contains("/start?") || location.contains("/sign-out?"))) {
                return location;
            }
            page = browser.get(&location).await;
        }
    }

    /// Where the authorization request at `url` sends the browser, past the hub's hops.
    async fn sent_to(&self, browser: &Browser, url: &str) -> String {
        let first = browser.get(url).await;
        self.past_the_hub(browser, first).await
    }

    /// The page that `url` ends on, following the hub's redirects (a sign-in that failed
    /// at an upstream goes back to the login page).
    async fn page_at(&self, browser: &Browser, url: &str) -> Page {
        let mut page = browser.get(url).await;
        while let Some(location) = page.location().filter(|l| l.starts_with(&self.hub.issuer)) {
            page = browser.get(&location).await;
        }
        page
    }
}

/// A client registered through the admin API, with `policy` (upstream settings).
async fn register_app(hub: &TestHub, admin: &AdminApi, policy: Value) -> AppClient {
    {
        let mut body = json!({
            "client_name": "Wiki",
            "redirect_uris": [REDIRECT],
            "token_endpoint_auth_method": "client_secret_basic",
            "skip_authorization": true,
        });
        body.as_object_mut().unwrap().extend(policy.as_object().cloned().unwrap_or_default());
        let created = admin.post("/clients", body).await.ok(StatusCode::CREATED);
        let (id, secret) = (created["client_id"].as_str().unwrap(), created["client_secret"].as_str().unwrap());
        app_client(&hub.issuer, id, Some(secret), REDIRECT, AuthType::BasicAuth).await
    }
}

/// The id (`sub`) of the hub user `username`.
async fn user_id(admin: &AdminApi, username: &str) -> String {
    let found = admin.get(&format!("/users?search={username}")).await.ok(StatusCode::OK);
    let user = found["items"].as_array().unwrap().iter().find(|u| u["username"] == username);
    user.unwrap_or_else(|| panic!("no hub user {username}: {found}"))["id"].as_str().unwrap().to_owned()
}

/// An authorization request as the app makes it.
struct Request {
    url: String,
    nonce: Nonce,
    verifier: openidconnect::PkceCodeVerifier,
}

fn request(client: &AppClient, extra: &[(&str, &str)]) -> Request {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut builder = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("groups".into()))
        .set_pkce_challenge(challenge);
    for (name, value) in extra {
        builder = builder.add_extra_param(*name, *value);
    }
    let (url, _, nonce) = builder.url();
    Request { url: url.into(), nonce, verifier }
}

/// Follows redirects from `url`, signing in at the upstream (pages under `upstream`) as
/// `username` when its pages ask, until the hub answers with a page or sends the browser to the app.
async fn drive(browser: &Browser, upstream: &str, url: &str, username: &str) -> Page {
    drive_until(browser, upstream, url, username, |location| location.starts_with(REDIRECT)).await
}

/// As `drive`, stopping at the first redirect to a location that satisfies `stop`.
async fn drive_until(
    browser: &Browser,
    upstream: &str,
    url: &str,
    username: &str,
    stop: impl Fn(&str) -> bool,
) -> Page {
    let mut page = browser.get(url).await;
    for _ in 0..20 {
        if let Some(location) = page.location().filter(|_| page.status.is_redirection()) {
            if stop(&location) {
                return page;
            }
            page = browser.get(&location).await;
            continue;
        }
        if !page.url.starts_with(upstream) {
            return page;
        }
        // oidc-provider's development pages: a login form, then a consent form.
        page = if page.body.contains("name=\"login\"") {
            browser.submit(&page, &[("login", username), ("password", "any")]).await
        } else {
            assert!(page.body.contains("<form"), "an upstream page without a form: {}", page.body);
            browser.submit(&page, &[]).await
        };
    }
    panic!("too many redirects; last page {} {}", page.url, page.status);
}

/// From the hub's login page, "Continue with Corp SSO".
async fn continue_with_corp(browser: &Browser, upstream: &OidcProvider, login: &Page, username: &str) -> Page {
    let link = login
        .body
        .split("href=\"")
        .skip(1)
        .map(|rest| e2e::browser::html_unescape(&rest[..rest.find('"').unwrap()]))
        .find(|href| href.contains("/upstream/corp/start"))
        .unwrap_or_else(|| panic!("a Continue with Corp SSO link: {}", login.body));
    assert!(login.body.contains("Continue with Corp SSO"), "the link's name has the display name");
    drive(browser, &upstream.issuer, &link, username).await
}

/// The app's view of a finished sign-in: the ID token's claims and userinfo.
async fn finish(hub: &TestHub, client: &AppClient, req: Request, page: &Page) -> (Value, Value) {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let params = page.redirect_params();
    let code = params.get("code").unwrap_or_else(|| panic!("no code: {params:?}"));
    let tokens = e2e::rp::exchange_code(client, code, req.verifier).await.expect("code exchange");
    let id_token = tokens.id_token().unwrap();
    id_token.claims(&client.id_token_verifier(), &req.nonce).expect("valid ID token");
    // Every claim, the ones openidconnect has no field for (sid, acr, groups) too.
    let id_claims = e2e::rp::jwt_claims(&id_token.to_string());
    let response =
        reqwest::Client::new().get(hub.url("/userinfo")).bearer_auth(tokens.access_token().secret()).send().await;
    (id_claims, response.expect("userinfo").json().await.expect("userinfo JSON"))
}

/// Signs `username` in through the login page's "Continue with Corp SSO".
async fn sign_in_via_login_page(fed: &Federation, client: &AppClient, username: &str) -> (Value, Value) {
    let browser = Browser::new();
    let req = request(client, &[]);
    let start = browser.get(&req.url).await;
    let login = browser.get(&start.location().expect("to the login page")).await;
    let page = continue_with_corp(&browser, &fed.upstream, &login, username).await;
    finish(&fed.hub, client, req, &page).await
}

/// Signs in at the upstream and returns the text of the hub's refusal (403 login page).
async fn refused_at_login_page(fed: &Federation, app: &AppClient, username: &str) -> String {
    let browser = Browser::new();
    let req = request(app, &[]);
    let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
    let page = continue_with_corp(&browser, &fed.upstream, &login, username).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    assert!(page.body.contains("name=\"password\""), "back on the login page: {}", page.body);
    page.body
}

/// Signs `username` in through the upstream with `browser`, which keeps the sessions.
async fn signed_in_browser(fed: &Federation, app: &AppClient, username: &str) -> (Browser, Value) {
    let browser = Browser::new();
    let req = request(app, &[]);
    let login = browser.get(&browser.get(&req.url).await.location().unwrap()).await;
    let page = continue_with_corp(&browser, &fed.upstream, &login, username).await;
    let (claims, _) = finish(&fed.hub, app, req, &page).await;
    (browser, claims)
}

/// Whether the browser still has a hub session: `prompt=none` answers with a code.
async fn hub_session_alive(browser: &Browser, app: &AppClient) -> bool {
    let page = browser.get(&request(app, &[("prompt", "none")]).url).await;
    let params = page.redirect_params();
    match params.get("error").map(String::as_str) {
        Some("login_required") => false,
        None if params.contains_key("code") => true,
        other => panic!("prompt=none answered {other:?}: {params:?}"),
    }
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// The same claims with `alg: none` and no signature.
fn unsigned(token: &str) -> String {
    let payload = token.split('.').nth(1).unwrap();
    format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"logout+jwt"}"#))
}
