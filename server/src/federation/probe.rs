//! The admin API's `test` of a Social Login Key: fetch what the hub will rely on (the
//! discovery document, the JWKS, or the fixed endpoints) and report, check by check,
//! what was found or exactly what is wrong. Nothing is stored.

use serde_json::Value;

use super::metadata::IssuerMatch;
use crate::domain::social_login_key::{EndpointSource, SocialLoginKey};

/// One thing checked.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

/// Everything the probe found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub checks: Vec<Check>,
    pub issuer: Option<String>,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub userinfo_endpoint: Option<String>,
    pub jwks_uri: Option<String>,
    pub end_session_endpoint: Option<String>,
    pub signing_algs: Vec<String>,
    pub keys: Vec<KeySummary>,
}

#[derive(Debug, Clone)]
pub struct KeySummary {
    pub kid: Option<String>,
    pub kty: String,
    pub alg: Option<String>,
}

impl Report {
    pub fn ok(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.ok)
    }

    fn pass(&mut self, name: &'static str, detail: impl Into<String>) {
        self.checks.push(Check { name, ok: true, detail: detail.into() });
    }

    fn fail(&mut self, name: &'static str, detail: impl Into<String>) {
        self.checks.push(Check { name, ok: false, detail: detail.into() });
    }
}

pub async fn probe(http: &reqwest::Client, key: &SocialLoginKey) -> Report {
    let mut report = Report::default();
    let endpoints = key.static_endpoints();
    report.issuer = key.effective_issuer();
    report.authorization_endpoint = endpoints.authorization.clone();
    report.token_endpoint = endpoints.token.clone();
    report.userinfo_endpoint = endpoints.userinfo.clone();
    report.jwks_uri = endpoints.jwks_uri.clone();
    report.end_session_endpoint = endpoints.end_session.clone();

    if key.kind.preset().source == EndpointSource::Discovery {
        discover(http, key, &mut report).await;
    } else {
        let configured = [
            ("authorization_endpoint", report.authorization_endpoint.clone()),
            ("token_endpoint", report.token_endpoint.clone()),
            ("userinfo_endpoint", report.userinfo_endpoint.clone()),
        ];
        for (name, url) in configured {
            match url {
                Some(url) => reachable(http, name, &url, &mut report).await,
                None => report.fail(name, "not configured"),
            }
        }
    }
    // Only a URL the hub would use: a discovery document must not make the hub fetch
    // plain http elsewhere (cloud metadata, internal services).
    if let Some(jwks_uri) = report.jwks_uri.clone() {
        match crate::domain::validation::https_url(&jwks_uri) {
            Ok(()) => fetch_jwks(http, &jwks_uri, &mut report).await,
            Err(problem) => report.fail("jwks", format!("{jwks_uri} {problem}; not fetched")),
        }
    }
    report
}

/// OpenID Connect Discovery 1.0 §4: the document at the issuer, whose `issuer` must be
/// the issuer exactly.
async fn discover(http: &reqwest::Client, key: &SocialLoginKey, report: &mut Report) {
    let Some(issuer) = key.effective_issuer() else {
        report.fail("discovery", "no issuer configured");
        return;
    };
    let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    let document = match fetch_json(http, &url).await {
        Ok(document) => document,
        Err(problem) => {
            report.fail("discovery", problem);
            return;
        }
    };
    report.pass("discovery", format!("fetched {url}"));
    let text = |name: &str| document.get(name).and_then(Value::as_str).map(str::to_owned);
    // The sign-in's own rule, so the test passes exactly what a sign-in accepts.
    match super::metadata::discovered_issuer(key, &issuer, text("issuer").as_deref()) {
        Ok(IssuerMatch::Exact) => report.pass("issuer", format!("the document names {issuer}")),
        Ok(IssuerMatch::TenantTemplate(template)) => {
            report.pass("issuer", format!("a multi-tenant template: {template}"))
        }
        Err(problem) => report.fail("issuer", problem),
    }
    // Endpoints written in the key win over discovered ones.
    report.authorization_endpoint = report.authorization_endpoint.take().or_else(|| text("authorization_endpoint"));
    report.token_endpoint = report.token_endpoint.take().or_else(|| text("token_endpoint"));
    report.userinfo_endpoint = report.userinfo_endpoint.take().or_else(|| text("userinfo_endpoint"));
    report.jwks_uri = report.jwks_uri.take().or_else(|| text("jwks_uri"));
    report.end_session_endpoint = report.end_session_endpoint.take().or_else(|| text("end_session_endpoint"));
    let found = [
        ("authorization_endpoint", report.authorization_endpoint.clone()),
        ("token_endpoint", report.token_endpoint.clone()),
        ("jwks_uri", report.jwks_uri.clone()),
    ];
    for (name, value) in found {
        match value {
            Some(url) => match crate::domain::validation::https_url(&url) {
                Ok(()) => report.pass(name, url),
                Err(problem) => report.fail(name, format!("{url} {problem}")),
            },
            None => report.fail(name, "missing from the discovery document"),
        }
    }
    report.signing_algs = document
        .get("id_token_signing_alg_values_supported")
        .and_then(Value::as_array)
        .map(|algs| algs.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    if report.signing_algs.is_empty() {
        report.fail("signing_algs", "id_token_signing_alg_values_supported is missing");
    } else if report.signing_algs.iter().all(|alg| alg == "none") {
        report.fail("signing_algs", "the upstream signs ID tokens with `none` only, which the hub refuses");
    } else {
        report.pass("signing_algs", report.signing_algs.join(", "));
    }
    let methods = document.get("code_challenge_methods_supported").and_then(Value::as_array);
    match methods {
        Some(methods) if methods.iter().any(|m| m == "S256") => report.pass("pkce", "S256 supported"),
        Some(_) => report.fail("pkce", "code_challenge_methods_supported does not include S256"),
        // Many providers support PKCE without advertising it.
        None => report.pass("pkce", "not advertised; the hub sends S256 anyway"),
    }
}

async fn fetch_jwks(http: &reqwest::Client, url: &str, report: &mut Report) {
    let document = match fetch_json(http, url).await {
        Ok(document) => document,
        Err(problem) => {
            report.fail("jwks", problem);
            return;
        }
    };
    let Some(keys) = document.get("keys").and_then(Value::as_array) else {
        report.fail("jwks", format!("{url}: no `keys` array"));
        return;
    };
    report.keys = keys
        .iter()
        .filter_map(|key| {
            let kty = key.get("kty")?.as_str()?.to_owned();
            let text = |name: &str| key.get(name).and_then(Value::as_str).map(str::to_owned);
            Some(KeySummary { kid: text("kid"), kty, alg: text("alg") })
        })
        .collect();
    if report.keys.is_empty() {
        report.fail("jwks", format!("{url}: the key set is empty"));
    } else {
        report.pass("jwks", format!("{} keys", report.keys.len()));
    }
}

/// For endpoints that have no document: any HTTP answer shows the host is there.
async fn reachable(http: &reqwest::Client, name: &'static str, url: &str, report: &mut Report) {
    match http.get(url).send().await {
        Ok(response) => report.pass(name, format!("{url} answered {}", response.status().as_u16())),
        Err(error) => report.fail(name, format!("{url}: {}", crate::outbound::describe(&error))),
    }
}

async fn fetch_json(http: &reqwest::Client, url: &str) -> Result<Value, String> {
    crate::outbound::fetch_json(http, url, None).await.map(Value::Object).map_err(|e| e.to_string())
}
