//! The wire form of dynamic registration: RFC 7591 §2 / OIDC Registration 1.0 §2
//! metadata in, the client information response (RFC 7591 §3.2.1, RFC 7592 §3) out, and
//! the error codes of RFC 7591 §3.2.2.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::Settings;
use crate::domain::client::{ClientAbout, ClientKeys, ClientMetadata};
use crate::domain::protocol::{ContentEncryptionAlg, KeyEncryptionAlg};
use crate::domain::validation::FieldErrors;
use crate::domain::{
    ApplicationType, GrantType, RequestObjectAlg, ResponseType, SigningAlg, SubjectType, TokenEndpointAuthMethod,
};
use crate::oidc::paths;
use crate::store::clients::StoredClient;

/// What a registration request may carry. Members the hub does not know are ignored (RFC
/// 7591 §2); known ones asking for what the hub does not do are refused, so a client never
/// believes it got what it asked for.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Registration {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub redirect_uris: Vec<String>,
    pub response_types: Option<Vec<String>>,
    pub grant_types: Option<Vec<String>>,
    pub application_type: Option<String>,
    pub contacts: Vec<String>,
    pub client_name: Option<String>,
    pub logo_uri: Option<String>,
    pub client_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
    pub jwks_uri: Option<String>,
    pub jwks: Option<Value>,
    pub scope: Option<String>,
    pub token_endpoint_auth_method: Option<String>,
    pub id_token_signed_response_alg: Option<String>,
    pub userinfo_signed_response_alg: Option<String>,
    pub id_token_encrypted_response_alg: Option<String>,
    pub id_token_encrypted_response_enc: Option<String>,
    pub userinfo_encrypted_response_alg: Option<String>,
    pub userinfo_encrypted_response_enc: Option<String>,
    pub subject_type: Option<String>,
    pub default_max_age: Option<u64>,
    pub require_auth_time: Option<bool>,
    pub initiate_login_uri: Option<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    pub backchannel_logout_session_required: Option<bool>,
    pub request_object_signing_alg: Option<String>,
    pub request_uris: Vec<String>,
    pub require_pushed_authorization_requests: bool,
    pub sector_identifier_uri: Option<String>,
    // Known, and refused when present: the hub does not do these.
    pub request_object_encryption_alg: Option<Value>,
    pub frontchannel_logout_uri: Option<Value>,
    pub software_statement: Option<Value>,
}

/// A registration error (RFC 7591 §3.2.2).
#[derive(Debug)]
pub struct Refused {
    pub code: &'static str,
    pub description: String,
}

impl Refused {
    fn metadata(description: impl Into<String>) -> Self {
        Self { code: "invalid_client_metadata", description: description.into() }
    }

    /// The domain's field errors: a redirect URI's are `invalid_redirect_uri`.
    pub fn from_fields(errors: &FieldErrors) -> Self {
        let first = errors.iter().next();
        let description = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
        let code = match first {
            Some(e) if e.field.starts_with("redirect_uris") => "invalid_redirect_uri",
            _ => "invalid_client_metadata",
        };
        Self { code, description }
    }

    pub fn body(&self) -> Value {
        json!({ "error": self.code, "error_description": self.description })
    }
}

impl Registration {
    /// The metadata to register, with RFC 7591's defaults for what is absent.
    pub fn into_metadata(self) -> Result<ClientMetadata, Refused> {
        self.refuse_unsupported()?;
        let defaults = ClientMetadata::default();
        // Omitted, RFC 7591's `code`, unless the grant types name no grant of the
        // authorization endpoint (a client_credentials or device client): then none.
        let front_channel =
            |name: &String| matches!(GrantType::parse(name), Some(GrantType::AuthorizationCode | GrantType::Implicit));
        let response_types: Vec<ResponseType> = match self.response_types {
            Some(names) => names
                .iter()
                .map(|name| ResponseType::from_words(name).ok_or_else(|| unsupported("response_types", name)))
                .collect::<Result<_, _>>()?,
            None if self.grant_types.as_ref().is_some_and(|grants| !grants.iter().any(front_channel)) => Vec::new(),
            None => defaults.response_types,
        };
        // Omitted, the grant types are those the response types need (RFC 7591 §2.1).
        let grant_types = match self.grant_types {
            Some(names) => {
                names.iter().map(|name| parse(GrantType::parse, "grant_types", name)).collect::<Result<_, _>>()?
            }
            None => {
                let mut needed = Vec::new();
                if response_types.iter().any(|r| r.issues_code()) {
                    needed.push(GrantType::AuthorizationCode);
                }
                if response_types.iter().any(|r| r.uses_implicit()) {
                    needed.push(GrantType::Implicit);
                }
                if needed.is_empty() { defaults.grant_types } else { needed }
            }
        };
        let optional_alg = |field: &str, value: Option<String>| -> Result<Option<SigningAlg>, Refused> {
            value.map(|name| parse(SigningAlg::parse, field, &name)).transpose()
        };
        let key_alg = |field: &str, value: Option<String>| -> Result<Option<KeyEncryptionAlg>, Refused> {
            value.map(|name| parse(KeyEncryptionAlg::parse, field, &name)).transpose()
        };
        let content_alg = |field: &str, value: Option<String>| -> Result<Option<ContentEncryptionAlg>, Refused> {
            value.map(|name| parse(ContentEncryptionAlg::parse, field, &name)).transpose()
        };
        let client_name = self.client_name.unwrap_or_else(|| default_name(&self.redirect_uris));
        Ok(ClientMetadata {
            client_name,
            application_type: match self.application_type {
                Some(name) => parse(ApplicationType::parse, "application_type", &name)?,
                None => defaults.application_type,
            },
            redirect_uris: self.redirect_uris,
            post_logout_redirect_uris: self.post_logout_redirect_uris,
            grant_types,
            response_types,
            token_endpoint_auth_method: match self.token_endpoint_auth_method {
                Some(name) => parse(TokenEndpointAuthMethod::parse, "token_endpoint_auth_method", &name)?,
                None => defaults.token_endpoint_auth_method,
            },
            id_token_signed_response_alg: optional_alg(
                "id_token_signed_response_alg",
                self.id_token_signed_response_alg,
            )?
            .unwrap_or(defaults.id_token_signed_response_alg),
            userinfo_signed_response_alg: optional_alg(
                "userinfo_signed_response_alg",
                self.userinfo_signed_response_alg,
            )?,
            id_token_encrypted_response_alg: key_alg(
                "id_token_encrypted_response_alg",
                self.id_token_encrypted_response_alg,
            )?,
            id_token_encrypted_response_enc: content_alg(
                "id_token_encrypted_response_enc",
                self.id_token_encrypted_response_enc,
            )?,
            userinfo_encrypted_response_alg: key_alg(
                "userinfo_encrypted_response_alg",
                self.userinfo_encrypted_response_alg,
            )?,
            userinfo_encrypted_response_enc: content_alg(
                "userinfo_encrypted_response_enc",
                self.userinfo_encrypted_response_enc,
            )?,
            jwks: self.jwks,
            jwks_uri: self.jwks_uri,
            request_object_signing_alg: match self.request_object_signing_alg {
                Some(name) => Some(parse(RequestObjectAlg::parse, "request_object_signing_alg", &name)?),
                None => None,
            },
            request_uris: self.request_uris,
            require_pushed_authorization_requests: self.require_pushed_authorization_requests,
            default_max_age: self.default_max_age,
            require_auth_time: self.require_auth_time.unwrap_or(false),
            backchannel_logout_uri: self.backchannel_logout_uri,
            backchannel_logout_session_required: self.backchannel_logout_session_required.unwrap_or(false),
            // The hub's own extension, an administrator's to set.
            backchannel_logout_claims: Vec::new(),
            subject_type: match self.subject_type {
                Some(name) => parse(SubjectType::parse, "subject_type", &name)?,
                None => defaults.subject_type,
            },
            sector_identifier_uri: self.sector_identifier_uri,
            scope: self.scope,
            // A stranger's word never skips consent, and the upstream policy is the
            // administrator's to set.
            skip_authorization: false,
            allowed_social_login_keys: Vec::new(),
            default_social_login_key: None,
            require_second_factor: false,
            allowed_groups: Vec::new(),
            about: ClientAbout {
                logo_uri: self.logo_uri,
                client_uri: self.client_uri,
                policy_uri: self.policy_uri,
                tos_uri: self.tos_uri,
                initiate_login_uri: self.initiate_login_uri,
                contacts: self.contacts,
            },
        })
    }

    fn refuse_unsupported(&self) -> Result<(), Refused> {
        let unsupported = [
            ("request_object_encryption_alg", self.request_object_encryption_alg.is_some()),
            ("frontchannel_logout_uri", self.frontchannel_logout_uri.is_some()),
        ];
        if let Some((field, _)) = unsupported.iter().find(|(_, present)| *present) {
            return Err(Refused::metadata(format!("{field} is not supported by this hub")));
        }
        if self.software_statement.is_some() {
            return Err(Refused {
                code: "invalid_software_statement",
                description: "software statements are not accepted".into(),
            });
        }
        Ok(())
    }
}

fn parse<T>(parse: fn(&str) -> Option<T>, field: &str, value: &str) -> Result<T, Refused> {
    parse(value).ok_or_else(|| unsupported(field, value))
}

fn unsupported(field: &str, value: &str) -> Refused {
    Refused::metadata(format!("{field}: {value} is not supported"))
}

/// A client that names itself not is named for where it lives: the consent page then
/// shows something a person can check.
fn default_name(redirect_uris: &[String]) -> String {
    redirect_uris
        .iter()
        .find_map(|uri| url::Url::parse(uri).ok()?.host_str().map(str::to_owned))
        .unwrap_or_else(|| "Unnamed client".to_owned())
}

/// Where a registered client manages itself (RFC 7592 §2).
pub fn client_uri(settings: &Settings, client_id: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(client_id.as_bytes()).collect();
    format!("{}/{encoded}", settings.endpoint(paths::REGISTRATION))
}

/// The client information response: every registered value, with the credentials this
/// response created.
pub fn information(
    settings: &Settings,
    stored: &StoredClient,
    client_secret: Option<&str>,
    registration_access_token: Option<&str>,
) -> Value {
    let client = &stored.client;
    let names = |items: Vec<&str>| Value::from(items);
    let mut body = json!({
        "client_id": client.client_id,
        "client_id_issued_at": stored.created_at.timestamp(),
        "client_name": client.client_name,
        "application_type": client.application_type.as_str(),
        "redirect_uris": client.redirect_uris,
        "post_logout_redirect_uris": client.post_logout_redirect_uris,
        "grant_types": names(client.grant_types.iter().map(|g| g.as_str()).collect()),
        "response_types": names(client.response_types.iter().map(|r| r.as_str()).collect()),
        "token_endpoint_auth_method": client.token_endpoint_auth_method.as_str(),
        "id_token_signed_response_alg": client.id_token_signed_response_alg.as_str(),
        "subject_type": client.subject_type.as_str(),
        "scope": client.scope.to_string(),
        "require_auth_time": client.require_auth_time,
        "require_pushed_authorization_requests": client.require_pushed_authorization_requests,
        "registration_client_uri": client_uri(settings, &client.client_id),
    });
    let optional = [
        ("userinfo_signed_response_alg", client.userinfo_signed_response_alg.map(|alg| json!(alg.as_str()))),
        ("id_token_encrypted_response_alg", client.id_token_encryption.map(|e| json!(e.alg.as_str()))),
        ("id_token_encrypted_response_enc", client.id_token_encryption.map(|e| json!(e.enc.as_str()))),
        ("userinfo_encrypted_response_alg", client.userinfo_encryption.map(|e| json!(e.alg.as_str()))),
        ("userinfo_encrypted_response_enc", client.userinfo_encryption.map(|e| json!(e.enc.as_str()))),
        ("default_max_age", client.default_max_age.map(Value::from)),
        ("backchannel_logout_uri", client.backchannel_logout_uri.as_deref().map(Value::from)),
        ("sector_identifier_uri", client.sector_identifier_uri.as_deref().map(Value::from)),
        ("logo_uri", client.about.logo_uri.as_deref().map(Value::from)),
        ("client_uri", client.about.client_uri.as_deref().map(Value::from)),
        ("policy_uri", client.about.policy_uri.as_deref().map(Value::from)),
        ("tos_uri", client.about.tos_uri.as_deref().map(Value::from)),
        ("initiate_login_uri", client.about.initiate_login_uri.as_deref().map(Value::from)),
        (
            "jwks",
            match &client.keys {
                Some(ClientKeys::Jwks(jwks)) => Some(jwks.clone()),
                _ => None,
            },
        ),
        (
            "jwks_uri",
            match &client.keys {
                Some(ClientKeys::JwksUri(uri)) => Some(Value::from(uri.as_str())),
                _ => None,
            },
        ),
        ("client_secret", client_secret.map(Value::from)),
        ("registration_access_token", registration_access_token.map(Value::from)),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            body[name] = value;
        }
    }
    if client.backchannel_logout_uri.is_some() {
        body["backchannel_logout_session_required"] = json!(client.backchannel_logout_session_required);
    }
    if !client.about.contacts.is_empty() {
        body["contacts"] = json!(client.about.contacts);
    }
    if client_secret.is_some() {
        // The hub's secrets do not expire (RFC 7591 §3.2.1: 0).
        body["client_secret_expires_at"] = json!(0);
    }
    body
}
