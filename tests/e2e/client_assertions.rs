//! Client authentication with signed assertions (RFC 7523, OIDC Core §9): npm
//! `openid-client` registers `private_key_jwt` clients with ES256, PS256 and EdDSA keys and
//! a `client_secret_jwt` client, and authenticates with each; the negative cases are
//! assertions the RFC says to refuse, made here with the `jsonwebtoken` crate.

use std::path::PathBuf;
use std::process::Command;

use e2e::TestHub;
use e2e::rp::{JsonReply, http_client};
use jsonwebtoken::{EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{Value, json};

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn script_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop/openid-client")
}

#[tokio::test]
async fn openid_client_authenticates_with_private_key_jwt_and_client_secret_jwt() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let (ok, token, err) = hub.cli(&["registration-token", "add"], None);
    assert!(ok, "{err}");
    for alg in ["ES256", "PS256", "EdDSA"] {
        let (issuer, token) = (hub.issuer.clone(), token.trim().to_owned());
        let output = tokio::task::spawn_blocking(move || {
            Command::new("node").current_dir(script_dir()).args(["assertions.mjs", &issuer, &token, alg]).output()
        })
        .await
        .unwrap()
        .expect("node runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{alg}: {}\n{stdout}\nhub log:\n{}",
            String::from_utf8_lossy(&output.stderr),
            hub.log_text()
        );
        let result: Value = serde_json::from_str(stdout.trim()).expect("JSON");
        for method in ["private_key_jwt", "client_secret_jwt"] {
            assert_eq!(result[method]["active"], true, "{alg} {method}: {result}");
            assert_eq!(result[method]["introspected_client_id"], result[method]["client_id"], "{alg} {method}");
        }
    }
}

struct SecretJwtClient {
    hub: TestHub,
    client_id: String,
    secret: String,
}

async fn secret_jwt_client() -> SecretJwtClient {
    crate::backend();
    let hub = TestHub::spawn().await;
    let creds = hub.add_client(&[
        "--name",
        "Batch",
        "--redirect-uri",
        "https://batch.example/unused",
        "--grant-type",
        "client_credentials",
        "--auth-method",
        "client_secret_jwt",
    ]);
    SecretJwtClient { hub, client_id: creds.client_id, secret: creds.client_secret.expect("a secret to sign with") }
}

impl SecretJwtClient {
    fn assertion(&self, claims: Value) -> String {
        jsonwebtoken::encode(&Header::default(), &claims, &EncodingKey::from_secret(self.secret.as_bytes())).unwrap()
    }

    fn claims(&self) -> Value {
        let now = chrono_now();
        json!({
            "iss": self.client_id, "sub": self.client_id, "aud": self.hub.url("/token"),
            "exp": now + 60, "iat": now, "jti": uuid::Uuid::new_v4().to_string(),
        })
    }

    async fn token_request(&self, assertion: &str, extra: &[(&str, &str)]) -> JsonReply {
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", assertion),
        ];
        form.extend_from_slice(extra);
        JsonReply::read(http_client().post(self.hub.url("/token")).form(&form).send().await.unwrap()).await
    }
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[tokio::test]
async fn an_assertion_is_accepted_once_and_only_as_the_rfc_says() {
    let client = secret_jwt_client().await;
    let good = client.assertion(client.claims());
    let first = client.token_request(&good, &[]).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    let replayed = client.token_request(&good, &[]).await;
    assert_eq!((replayed.status, replayed.error()), (StatusCode::UNAUTHORIZED, "invalid_client"), "jti once");

    let mut claims = client.claims();
    claims["aud"] = json!([client.hub.issuer, "https://another.example"]);
    let issuer_as_audience = client.assertion(claims);
    assert_eq!(
        client.token_request(&issuer_as_audience, &[]).await.status,
        StatusCode::OK,
        "aud: the issuer, among others"
    );

    let mut refusals: Vec<(&str, Value)> = Vec::new();
    let mut claims = client.claims();
    claims["aud"] = json!("https://elsewhere.example/token");
    refusals.push(("another audience", claims));
    let mut claims = client.claims();
    claims["exp"] = json!(chrono_now() + 7200);
    refusals.push(("expiring in two hours", claims));
    let mut claims = client.claims();
    claims["exp"] = json!(chrono_now() - 600);
    refusals.push(("expired", claims));
    let mut claims = client.claims();
    claims.as_object_mut().unwrap().remove("jti");
    refusals.push(("no jti", claims));
    let mut claims = client.claims();
    claims["sub"] = json!("someone-else");
    refusals.push(("sub is not the client", claims));
    for (case, claims) in refusals {
        let reply = client.token_request(&client.assertion(claims), &[]).await;
        assert_eq!(
            (reply.status, reply.error()),
            (StatusCode::UNAUTHORIZED, "invalid_client"),
            "{case}: {}",
            reply.json
        );
    }
    let forged =
        jsonwebtoken::encode(&Header::default(), &client.claims(), &EncodingKey::from_secret(b"not the secret"))
            .unwrap();
    let reply = client.token_request(&forged, &[]).await;
    assert_eq!((reply.status, reply.error()), (StatusCode::UNAUTHORIZED, "invalid_client"), "a wrong key");

    let fresh = client.assertion(client.claims());
    let two_methods = client.token_request(&fresh, &[("client_secret", client.secret.as_str())]).await;
    assert_eq!((two_methods.status, two_methods.error()), (StatusCode::BAD_REQUEST, "invalid_request"));
    let fresh = client.assertion(client.claims());
    let other_id = client.token_request(&fresh, &[("client_id", "someone-else")]).await;
    assert_eq!((other_id.status, other_id.error()), (StatusCode::BAD_REQUEST, "invalid_request"));

    // The client registered client_secret_jwt: its secret alone is not enough.
    let basic = http_client()
        .post(client.hub.url("/token"))
        .basic_auth(&client.client_id, Some(&client.secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED, "one method: the registered one");
}
