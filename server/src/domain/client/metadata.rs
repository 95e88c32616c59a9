//! What a client is registered with, and the rules it must satisfy as a whole (RFC 7591
//! §2, OIDC Registration 1.0 §2). The admin API, the CLI and dynamic registration all
//! build a `ClientMetadata` and get a `Client` or field errors from the same checks.

use super::redirect_uri::validate_redirect_uri;
use super::{Client, ClientAbout, ClientKeys, ClientOrigin, keys, sector, validate_client_id};
use crate::domain::claims;
use crate::domain::protocol::{
    ApplicationType, ContentEncryptionAlg, GrantType, KeyEncryptionAlg, RequestObjectAlg, ResponseType, SigningAlg,
    SubjectType, TokenEndpointAuthMethod,
};
use crate::domain::scope::{self, ScopeSet};
use crate::domain::social_login_key::validate_slug;
use crate::domain::validation::{self, FieldErrors};

/// RFC 7591 §2 names, before they are checked.
#[derive(Debug, Clone)]
pub struct ClientMetadata {
    pub client_name: String,
    pub application_type: ApplicationType,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<GrantType>,
    pub response_types: Vec<ResponseType>,
    pub token_endpoint_auth_method: TokenEndpointAuthMethod,
    pub id_token_signed_response_alg: SigningAlg,
    pub userinfo_signed_response_alg: Option<SigningAlg>,
    pub id_token_encrypted_response_alg: Option<KeyEncryptionAlg>,
    pub id_token_encrypted_response_enc: Option<ContentEncryptionAlg>,
    pub userinfo_encrypted_response_alg: Option<KeyEncryptionAlg>,
    pub userinfo_encrypted_response_enc: Option<ContentEncryptionAlg>,
    pub jwks: Option<serde_json::Value>,
    pub jwks_uri: Option<String>,
    pub request_object_signing_alg: Option<RequestObjectAlg>,
    pub request_uris: Vec<String>,
    pub require_pushed_authorization_requests: bool,
    pub default_max_age: Option<u64>,
    pub require_auth_time: bool,
    pub backchannel_logout_uri: Option<String>,
    pub backchannel_logout_session_required: bool,
    pub backchannel_logout_claims: Vec<String>,
    pub subject_type: SubjectType,
    pub sector_identifier_uri: Option<String>,
    /// Space-separated; the standard OpenID scopes when unset.
    pub scope: Option<String>,
    pub skip_authorization: bool,
    pub allowed_social_login_keys: Vec<String>,
    pub default_social_login_key: Option<String>,
    pub require_second_factor: bool,
    pub allowed_groups: Vec<String>,
    pub about: ClientAbout,
}

impl Default for ClientMetadata {
    /// RFC 7591 §2's defaults: a web client of the code flow, client_secret_basic, RS256.
    fn default() -> Self {
        Self {
            client_name: String::new(),
            application_type: ApplicationType::Web,
            redirect_uris: Vec::new(),
            post_logout_redirect_uris: Vec::new(),
            grant_types: vec![GrantType::AuthorizationCode],
            response_types: vec![ResponseType::Code],
            token_endpoint_auth_method: TokenEndpointAuthMethod::ClientSecretBasic,
            id_token_signed_response_alg: SigningAlg::RS256,
            userinfo_signed_response_alg: None,
            id_token_encrypted_response_alg: None,
            id_token_encrypted_response_enc: None,
            userinfo_encrypted_response_alg: None,
            userinfo_encrypted_response_enc: None,
            jwks: None,
            jwks_uri: None,
            request_object_signing_alg: None,
            request_uris: Vec::new(),
            require_pushed_authorization_requests: false,
            default_max_age: None,
            require_auth_time: false,
            backchannel_logout_uri: None,
            backchannel_logout_session_required: false,
            backchannel_logout_claims: Vec::new(),
            subject_type: SubjectType::Public,
            sector_identifier_uri: None,
            scope: None,
            skip_authorization: false,
            allowed_social_login_keys: Vec::new(),
            default_social_login_key: None,
            require_second_factor: false,
            allowed_groups: Vec::new(),
            about: ClientAbout::default(),
        }
    }
}

impl From<&Client> for ClientMetadata {
    /// What a stored client was registered with, to change a part of it.
    fn from(client: &Client) -> Self {
        let (jwks, jwks_uri) = match &client.keys {
            Some(ClientKeys::Jwks(jwks)) => (Some(jwks.clone()), None),
            Some(ClientKeys::JwksUri(uri)) => (None, Some(uri.clone())),
            None => (None, None),
        };
        Self {
            client_name: client.client_name.clone(),
            application_type: client.application_type,
            redirect_uris: client.redirect_uris.clone(),
            post_logout_redirect_uris: client.post_logout_redirect_uris.clone(),
            grant_types: client.grant_types.clone(),
            response_types: client.response_types.clone(),
            token_endpoint_auth_method: client.token_endpoint_auth_method,
            id_token_signed_response_alg: client.id_token_signed_response_alg,
            userinfo_signed_response_alg: client.userinfo_signed_response_alg,
            id_token_encrypted_response_alg: client.id_token_encryption.map(|e| e.alg),
            id_token_encrypted_response_enc: client.id_token_encryption.map(|e| e.enc),
            userinfo_encrypted_response_alg: client.userinfo_encryption.map(|e| e.alg),
            userinfo_encrypted_response_enc: client.userinfo_encryption.map(|e| e.enc),
            jwks,
            jwks_uri,
            request_object_signing_alg: client.request_object_signing_alg,
            request_uris: client.request_uris.clone(),
            require_pushed_authorization_requests: client.require_pushed_authorization_requests,
            default_max_age: client.default_max_age,
            require_auth_time: client.require_auth_time,
            backchannel_logout_uri: client.backchannel_logout_uri.clone(),
            backchannel_logout_session_required: client.backchannel_logout_session_required,
            backchannel_logout_claims: client.backchannel_logout_claims.clone(),
            subject_type: client.subject_type,
            sector_identifier_uri: client.sector_identifier_uri.clone(),
            scope: Some(client.scope.to_string()),
            skip_authorization: client.skip_authorization,
            allowed_social_login_keys: client.allowed_social_login_keys.clone(),
            default_social_login_key: client.default_social_login_key.clone(),
            require_second_factor: client.require_second_factor,
            allowed_groups: client.allowed_groups.clone(),
            about: client.about.clone(),
        }
    }
}

/// The user claims a logout token may carry: each released by a scope the client may ask
/// for (a logout token carries those the user granted it).
fn check_logout_claims(names: &[String], scope: &ScopeSet, errors: &mut FieldErrors) {
    for (i, name) in names.iter().enumerate() {
        let field = format!("backchannel_logout_claims[{i}]");
        match claims::scope_of(name) {
            None => errors.add(field, "not a user claim the hub releases (say preferred_username or email)"),
            Some(needed) if !scope.contains(needed) => {
                errors.add(field, format!("released by the {needed} scope, which the client may not ask for"))
            }
            Some(_) if names[..i].contains(name) => errors.add(field, "named twice"),
            Some(_) => {}
        }
    }
}

/// At most this many URIs of each kind.
const MAX_URIS: usize = 50;
const MAX_CONTACTS: usize = 20;
/// Ten years: longer is no limit at all.
const MAX_DEFAULT_MAX_AGE: u64 = 10 * 365 * 24 * 3600;

impl ClientMetadata {
    /// Checks the metadata as a whole (RFC 7591 §2.1: grant and response types agree) and
    /// makes the client.
    pub fn into_client(self, client_id: String) -> Result<Client, FieldErrors> {
        let mut errors = FieldErrors::new();
        errors.check("client_id", validate_client_id(&client_id));
        errors.check("client_name", validation::text(&self.client_name, 200));
        self.check_uris(&mut errors);
        self.check_grants(&mut errors);
        let keys =
            keys::check(self.token_endpoint_auth_method, self.jwks.as_ref(), self.jwks_uri.as_deref(), &mut errors);
        let id_token_encryption = keys::check_encryption(
            "id_token_encrypted_response",
            self.id_token_encrypted_response_alg,
            self.id_token_encrypted_response_enc,
            keys.as_ref(),
            &mut errors,
        );
        let userinfo_encryption = keys::check_encryption(
            "userinfo_encrypted_response",
            self.userinfo_encrypted_response_alg,
            self.userinfo_encrypted_response_enc,
            keys.as_ref(),
            &mut errors,
        );
        self.check_about(&mut errors);
        sector::check(self.subject_type, self.sector_identifier_uri.as_deref(), &self.redirect_uris, &mut errors);
        let scope = match &self.scope {
            Some(value) => match ScopeSet::parse(value) {
                Some(scope) if !scope.is_empty() => Some(scope),
                _ => {
                    errors.add("scope", "space-separated scope names of printable ASCII, at least one");
                    None
                }
            },
            None => Some(scope::STANDARD.iter().copied().collect()),
        };
        if let Some(scope) = &scope {
            check_logout_claims(&self.backchannel_logout_claims, scope, &mut errors);
        }
        if self.default_max_age.is_some_and(|age| age > MAX_DEFAULT_MAX_AGE) {
            errors.add("default_max_age", format!("at most {MAX_DEFAULT_MAX_AGE} seconds"));
        }
        for (i, slug) in self.allowed_social_login_keys.iter().enumerate() {
            errors.check(format!("allowed_social_login_keys[{i}]"), validate_slug(slug));
        }
        if let Some(slug) = &self.default_social_login_key
            && !self.allowed_social_login_keys.is_empty()
            && !self.allowed_social_login_keys.contains(slug)
        {
            errors.add("default_social_login_key", "must be one of allowed_social_login_keys");
        }
        for (i, group) in self.allowed_groups.iter().enumerate() {
            errors.check(format!("allowed_groups[{i}]"), crate::domain::user::validate_group_name(group));
        }
        errors.into_result()?;
        Ok(Client {
            client_id,
            origin: ClientOrigin::Administrator,
            client_name: self.client_name,
            application_type: self.application_type,
            redirect_uris: self.redirect_uris,
            post_logout_redirect_uris: self.post_logout_redirect_uris,
            grant_types: dedup(self.grant_types),
            response_types: dedup(self.response_types),
            token_endpoint_auth_method: self.token_endpoint_auth_method,
            id_token_signed_response_alg: self.id_token_signed_response_alg,
            userinfo_signed_response_alg: self.userinfo_signed_response_alg,
            id_token_encryption,
            userinfo_encryption,
            keys,
            request_object_signing_alg: self.request_object_signing_alg,
            request_uris: self.request_uris,
            require_pushed_authorization_requests: self.require_pushed_authorization_requests,
            default_max_age: self.default_max_age,
            require_auth_time: self.require_auth_time,
            backchannel_logout_uri: self.backchannel_logout_uri,
            backchannel_logout_session_required: self.backchannel_logout_session_required,
            backchannel_logout_claims: self.backchannel_logout_claims,
            subject_type: self.subject_type,
            sector_identifier_uri: self.sector_identifier_uri,
            scope: scope.unwrap_or_default(),
            skip_authorization: self.skip_authorization,
            allowed_social_login_keys: self.allowed_social_login_keys,
            default_social_login_key: self.default_social_login_key,
            require_second_factor: self.require_second_factor,
            allowed_groups: self.allowed_groups,
            about: self.about,
        })
    }

    /// As `into_client`, for a client that registers itself (RFC 7591): the URLs the hub
    /// will fetch or call for it must be https on a public host (unless the operator
    /// allows private ones, for tests and development), as a stranger chose them.
    pub fn into_registered_client(self, client_id: String, allow_private_urls: bool) -> Result<Client, FieldErrors> {
        let mut errors = FieldErrors::new();
        // A stranger's client asks for what the hub defines, never for scopes a resource
        // server might trust.
        if let Some(asked) = self.scope.as_deref().and_then(ScopeSet::parse)
            && asked.iter().any(|name| !scope::STANDARD.contains(&name))
        {
            errors.add("scope", format!("a registered client may ask for {} only", scope::STANDARD.join(" ")));
        }
        if !allow_private_urls {
            let mut fetched: Vec<(String, &String)> = Vec::new();
            fetched.extend(self.jwks_uri.iter().map(|uri| ("jwks_uri".to_owned(), uri)));
            fetched.extend(self.sector_identifier_uri.iter().map(|uri| ("sector_identifier_uri".to_owned(), uri)));
            fetched.extend(self.backchannel_logout_uri.iter().map(|uri| ("backchannel_logout_uri".to_owned(), uri)));
            fetched.extend(self.request_uris.iter().enumerate().map(|(i, uri)| (format!("request_uris[{i}]"), uri)));
            for (field, uri) in fetched {
                errors.check(field, validation::public_https_url(uri));
            }
        }
        let mut client = match self.into_client(client_id) {
            Ok(client) => client,
            Err(more) => {
                errors.extend(more);
                return Err(errors);
            }
        };
        errors.into_result()?;
        client.origin = ClientOrigin::Registration;
        Ok(client)
    }

    fn check_uris(&self, errors: &mut FieldErrors) {
        if !self.response_types.is_empty() && self.redirect_uris.is_empty() {
            errors.add("redirect_uris", "a client of the authorization endpoint needs at least one redirect URI");
        }
        for (field, uris) in
            [("redirect_uris", &self.redirect_uris), ("post_logout_redirect_uris", &self.post_logout_redirect_uris)]
        {
            if uris.len() > MAX_URIS {
                errors.add(field, format!("at most {MAX_URIS} URIs"));
            }
            for (i, uri) in uris.iter().enumerate() {
                errors.check(format!("{field}[{i}]"), validate_redirect_uri(uri));
            }
        }
        // OIDC Registration 1.0 §2: tokens in a web app's redirect travel only over TLS,
        // to a host that is not the user's own machine.
        let implicit = self.response_types.iter().any(|r| r.uses_implicit());
        if implicit && self.application_type == ApplicationType::Web {
            for (i, uri) in self.redirect_uris.iter().enumerate() {
                let parsed = url::Url::parse(uri).ok();
                let loopback = parsed.as_ref().is_some_and(validation::is_loopback);
                if parsed.is_some_and(|url| url.scheme() != "https") || loopback {
                    errors.add(
                        format!("redirect_uris[{i}]"),
                        "a web client of the implicit or hybrid flow needs https redirect URIs off localhost",
                    );
                }
            }
        }
        if let Some(uri) = &self.backchannel_logout_uri {
            errors.check("backchannel_logout_uri", validation::https_url(uri));
        }
        if self.request_uris.len() > MAX_URIS {
            errors.add("request_uris", format!("at most {MAX_URIS} URIs"));
        }
        for (i, uri) in self.request_uris.iter().enumerate() {
            // The fragment may carry the hash of the file's contents; the rest is fetched.
            let fetched = uri.split('#').next().unwrap_or(uri);
            errors.check(format!("request_uris[{i}]"), validation::https_url(fetched));
        }
    }

    /// RFC 7591 §2.1: the grant types and the response types agree.
    fn check_grants(&self, errors: &mut FieldErrors) {
        let uses_code = self.grant_types.contains(&GrantType::AuthorizationCode);
        let uses_implicit = self.grant_types.contains(&GrantType::Implicit);
        if self.grant_types.is_empty() {
            errors.add("grant_types", "at least one grant type");
        }
        // A device client (RFC 8628) signs its users in on another screen: it needs no
        // redirect URI and no response type, and its grant issues refresh tokens too.
        let uses_device = self.grant_types.contains(&GrantType::DeviceCode);
        if self.grant_types.contains(&GrantType::RefreshToken) && !uses_code && !uses_device {
            errors.add(
                "grant_types",
                "refresh_token needs authorization_code or the device code grant, the grants that issue refresh tokens",
            );
        }
        let code_response = self.response_types.iter().any(|r| r.issues_code());
        let implicit_response = self.response_types.iter().any(|r| r.uses_implicit());
        if uses_code != code_response {
            errors.add(
                "response_types",
                "a response type with code goes with the authorization_code grant, and only with it",
            );
        }
        if uses_implicit != implicit_response {
            errors.add(
                "response_types",
                "a response type with id_token or token goes with the implicit grant, and only with it",
            );
        }
        let public = self.token_endpoint_auth_method == TokenEndpointAuthMethod::None;
        if public && self.grant_types.contains(&GrantType::ClientCredentials) {
            errors
                .add("grant_types", "a public client (token_endpoint_auth_method none) cannot use client_credentials");
        }
        for (field, alg) in [
            ("id_token_signed_response_alg", Some(self.id_token_signed_response_alg)),
            ("userinfo_signed_response_alg", self.userinfo_signed_response_alg),
        ] {
            if public && alg == Some(SigningAlg::HS256) {
                errors.add(field, "HS256 is keyed with the client secret; a public client has none");
            }
        }
        let hmac_request_objects = [RequestObjectAlg::HS256, RequestObjectAlg::HS384, RequestObjectAlg::HS512];
        if public && self.request_object_signing_alg.is_some_and(|alg| hmac_request_objects.contains(&alg)) {
            errors.add("request_object_signing_alg", "HMAC is keyed with the client secret; a public client has none");
        }
    }

    fn check_about(&self, errors: &mut FieldErrors) {
        let about = &self.about;
        for (field, uri) in [
            ("logo_uri", &about.logo_uri),
            ("client_uri", &about.client_uri),
            ("policy_uri", &about.policy_uri),
            ("tos_uri", &about.tos_uri),
            ("initiate_login_uri", &about.initiate_login_uri),
        ] {
            if let Some(uri) = uri {
                errors.check(field, validation::https_url(uri));
            }
        }
        if about.contacts.len() > MAX_CONTACTS {
            errors.add("contacts", format!("at most {MAX_CONTACTS} contacts"));
        }
        for (i, contact) in about.contacts.iter().enumerate() {
            errors.check(format!("contacts[{i}]"), validation::text(contact, 320));
        }
    }
}

fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut unique = Vec::with_capacity(items.len());
    for item in items {
        if !unique.contains(&item) {
            unique.push(item);
        }
    }
    unique
}

#[cfg(test)]
#[path = "metadata_tests.rs"]
mod tests;
