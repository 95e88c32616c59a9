//! The implicit and hybrid flows (OIDC Core §3.2, §3.3), run by the `openidconnect` crate
//! as the app: it builds the authorization request, then verifies the ID token from the
//! fragment, its nonce and its `at_hash` / `c_hash` against the tokens that came with it,
//! and exchanges the hybrid flow's code.

use std::collections::HashMap;

use e2e::rp::{AppClient, app_client, exchange_code, http_client};
use e2e::{Browser, TestHub};
use openidconnect::core::{CoreAuthenticationFlow, CoreJwsSigningAlgorithm, CoreResponseType, CoreUserInfoClaims};
use openidconnect::{
    AccessToken, AccessTokenHash, AuthType, AuthorizationCode, AuthorizationCodeHash, CsrfToken, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, Scope, TokenResponse,
};
use reqwest::StatusCode;

use crate::code_flow::PASSWORD;

const REDIRECT: &str = "https://app.example/callback";

struct Setup {
    hub: TestHub,
    alice: String,
}

async fn setup() -> Setup {
    crate::backend();
    let hub = TestHub::spawn().await;
    let alice = hub.add_user("alice", PASSWORD, &["--email", "alice@example.com"]);
    Setup { hub, alice }
}

impl Setup {
    /// A consent-free client of every response type, its ID tokens signed with `alg`.
    async fn client(&self, alg: &str) -> AppClient {
        let mut args =
            vec!["--name", "Hybrid", "--redirect-uri", REDIRECT, "--skip-authorization", "--id-token-alg", alg];
        for grant in ["authorization_code", "implicit", "refresh_token"] {
            args.extend(["--grant-type", grant]);
        }
        for response_type in
            ["code", "id_token", "id_token token", "code id_token", "code token", "code id_token token"]
        {
            args.extend(["--response-type", response_type]);
        }
        let creds = self.hub.add_client(&args);
        app_client(&self.hub.issuer, &creds.client_id, creds.client_secret.as_deref(), REDIRECT, AuthType::BasicAuth)
            .await
    }

    /// Signs alice in for `flow`; the parameters of the redirect's fragment.
    async fn sign_in(&self, client: &AppClient, flow: CoreAuthenticationFlow, extra: &[(&str, &str)]) -> Answer {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(flow, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge);
        for (name, value) in extra {
            request = request.add_extra_param(*name, *value);
        }
        let (url, csrf, nonce) = request.url();
        let page = Browser::new().sign_in(url.as_str(), "alice", PASSWORD).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let location = url::Url::parse(&page.location().unwrap()).unwrap();
        assert!(location.query().is_none(), "nothing in the query: {location}");
        let params: HashMap<String, String> =
            url::form_urlencoded::parse(location.fragment().unwrap_or_default().as_bytes()).into_owned().collect();
        assert_eq!(params.get("state"), Some(csrf.secret()), "{params:?}");
        assert_eq!(params.get("iss"), Some(&self.hub.issuer), "RFC 9207");
        Answer { params, nonce, verifier }
    }
}

struct Answer {
    params: HashMap<String, String>,
    nonce: Nonce,
    verifier: openidconnect::PkceCodeVerifier,
}

type IdToken = openidconnect::core::CoreIdToken;

fn id_token_of(answer: &Answer) -> IdToken {
    answer.params["id_token"].parse().expect("an ID token in the fragment")
}

fn allowing(client: &AppClient, alg: CoreJwsSigningAlgorithm) -> openidconnect::core::CoreIdTokenVerifier<'_> {
    client.id_token_verifier().set_allowed_algs([alg])
}

#[tokio::test]
async fn the_hybrid_flow_binds_the_id_token_to_its_code_and_access_token() {
    let s = setup().await;
    for (name, alg) in
        [("RS256", CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256), ("EdDSA", CoreJwsSigningAlgorithm::EdDsa)]
    {
        let client = s.client(name).await;
        let flow = CoreAuthenticationFlow::Hybrid(vec![
            CoreResponseType::Code,
            CoreResponseType::IdToken,
            CoreResponseType::Token,
        ]);
        let answer = s.sign_in(&client, flow, &[]).await;
        assert_eq!(answer.params["token_type"], "Bearer");
        let id_token = id_token_of(&answer);
        let verifier = allowing(&client, alg);
        let claims = id_token.claims(&verifier, &answer.nonce).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(claims.subject().as_str(), s.alice);

        let (signing_alg, key) = (id_token.signing_alg().unwrap(), id_token.signing_key(&verifier).unwrap());
        let code = AuthorizationCode::new(answer.params["code"].clone());
        let access = AccessToken::new(answer.params["access_token"].clone());
        let c_hash = AuthorizationCodeHash::from_code(&code, signing_alg, key).unwrap();
        let at_hash = AccessTokenHash::from_token(&access, signing_alg, key).unwrap();
        assert_eq!(claims.code_hash(), Some(&c_hash), "{name}: c_hash");
        assert_eq!(claims.access_token_hash(), Some(&at_hash), "{name}: at_hash");

        // The access token works at once; the code still goes through the token endpoint.
        let userinfo: CoreUserInfoClaims =
            client.user_info(access, None).unwrap().request_async(&http_client()).await.expect("userinfo");
        assert_eq!(userinfo.subject().as_str(), s.alice);
        let tokens = exchange_code(&client, code.secret(), answer.verifier).await.expect("the hybrid code exchanges");
        let from_token_endpoint = tokens.id_token().unwrap().claims(&verifier, &answer.nonce).unwrap();
        assert_eq!(from_token_endpoint.subject(), claims.subject(), "OIDC Core §3.3.3.6: the same sub");
        assert!(tokens.refresh_token().is_some());
    }
}

#[tokio::test]
async fn the_implicit_flow_returns_only_what_the_response_type_names() {
    let s = setup().await;
    let client = s.client("ES256").await;
    let es256 = allowing(&client, CoreJwsSigningAlgorithm::EcdsaP256Sha256);

    // id_token alone: no code, no access token; the claims come in the ID token itself.
    let answer = s.sign_in(&client, CoreAuthenticationFlow::Implicit(false), &[]).await;
    assert!(!answer.params.contains_key("code") && !answer.params.contains_key("access_token"), "{:?}", answer.params);
    let id_token = id_token_of(&answer);
    let claims = id_token.claims(&es256, &answer.nonce).expect("an ES256 ID token");
    assert_eq!(claims.email().map(|e| e.as_str()), Some("alice@example.com"), "OIDC Core §5.4");
    assert!(claims.access_token_hash().is_none() && claims.code_hash().is_none());

    // id_token token: the access token and its at_hash.
    let answer = s.sign_in(&client, CoreAuthenticationFlow::Implicit(true), &[]).await;
    let id_token = id_token_of(&answer);
    let claims = id_token.claims(&es256, &answer.nonce).unwrap();
    let key = id_token.signing_key(&es256).unwrap();
    let access = AccessToken::new(answer.params["access_token"].clone());
    let at_hash = AccessTokenHash::from_token(&access, id_token.signing_alg().unwrap(), key).unwrap();
    assert_eq!(claims.access_token_hash(), Some(&at_hash));
    assert!(answer.params["expires_in"].parse::<u64>().unwrap() > 0);
    assert!(!answer.params.contains_key("code"));

    // code token: no ID token, a code and an access token.
    let flow = CoreAuthenticationFlow::Hybrid(vec![CoreResponseType::Code, CoreResponseType::Token]);
    let answer = s.sign_in(&client, flow, &[]).await;
    assert!(answer.params.contains_key("code") && answer.params.contains_key("access_token"));
    assert!(!answer.params.contains_key("id_token"));
}

#[tokio::test]
async fn tokens_never_travel_in_the_query_and_an_id_token_needs_a_nonce() {
    let s = setup().await;
    let client = s.client("RS256").await;
    let (url, _, _) = client
        .authorize_url(CoreAuthenticationFlow::Implicit(true), CsrfToken::new_random, Nonce::new_random)
        .add_extra_param("response_mode", "query")
        .url();
    let page = Browser::new().get(url.as_str()).await;
    let location = page.location().expect("an error redirect");
    assert!(location.contains("#error=invalid_request") || location.contains("&error=invalid_request"), "{location}");
    assert!(!location.contains("?error"), "not in the query: {location}");

    let (url, _, _) =
        client.authorize_url(CoreAuthenticationFlow::Implicit(true), CsrfToken::new_random, Nonce::new_random).url();
    let mut without_nonce = url::Url::parse(url.as_str()).unwrap();
    let kept: Vec<(String, String)> = without_nonce.query_pairs().into_owned().filter(|(k, _)| k != "nonce").collect();
    without_nonce.query_pairs_mut().clear().extend_pairs(&kept);
    let page = Browser::new().get(without_nonce.as_str()).await;
    let params = page.redirect_params();
    assert_eq!(params.get("error").map(String::as_str), Some("invalid_request"), "{params:?}");
    assert!(params["error_description"].contains("nonce"));

    // form_post carries the tokens in the form instead.
    let flow = CoreAuthenticationFlow::Hybrid(vec![CoreResponseType::Code, CoreResponseType::IdToken]);
    let (url, _, nonce) = client
        .authorize_url(flow, CsrfToken::new_random, Nonce::new_random)
        .add_extra_param("response_mode", "form_post")
        .url();
    let page = Browser::new().sign_in(url.as_str(), "alice", PASSWORD).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let fields: HashMap<String, String> = page.hidden_inputs().into_iter().collect();
    let id_token: IdToken = fields["id_token"].parse().unwrap();
    id_token.claims(&client.id_token_verifier(), &nonce).expect("the posted ID token verifies");
}
