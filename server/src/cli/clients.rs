//! `hub client …`: register, list, update, delete, and rotate a client's secret.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use super::by;
use crate::domain::client::ClientMetadata;
use crate::domain::protocol::{ContentEncryptionAlg, KeyEncryptionAlg};
use crate::domain::{ApplicationType, GrantType, ResponseType, SigningAlg, SubjectType, TokenEndpointAuthMethod};
use crate::manage::clients::{self, WithSecret};
use crate::state::AppState;
use crate::store::Window;

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Register a client; prints its secret once.
    Add(ClientAdd),
    /// List clients: client_id, name, authentication, redirect URIs (tab-separated).
    List,
    /// Change a client: what is given replaces what the client has, the rest stays.
    Update(ClientUpdate),
    /// Delete a client; its consents and grants go with it.
    Delete {
        /// The client's client_id.
        client_id: String,
    },
    /// Give a confidential client a new secret (printed once); the old one stops working.
    RotateSecret {
        /// The client's client_id.
        client_id: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ClientAdd {
    /// Human-readable name shown on the consent page.
    #[arg(long)]
    pub name: String,
    /// A redirect URI (repeatable); matched exactly. Needed unless the client only uses
    /// client_credentials or the device grant.
    #[arg(long = "redirect-uri", value_name = "URI")]
    pub redirect_uris: Vec<String>,
    /// Where the app may return after signing out (repeatable).
    #[arg(long = "post-logout-redirect-uri", value_name = "URI")]
    pub post_logout_redirect_uris: Vec<String>,
    /// Choose the client_id instead of a random one.
    #[arg(long)]
    pub client_id: Option<String>,
    /// A public client (SPA, native app): no secret, PKCE required.
    #[arg(long)]
    pub public: bool,
    /// First-party app: never ask for consent.
    #[arg(long)]
    pub skip_authorization: bool,
    /// Its users must prove a second factor; a password alone never gets a code.
    #[arg(long)]
    pub require_second_factor: bool,
    /// Only members of this group may use the client (repeatable); none: everyone.
    #[arg(long = "allowed-group", value_name = "GROUP")]
    pub allowed_groups: Vec<String>,
    /// client_secret_basic (default), client_secret_post, or none (implied by --public).
    #[arg(long)]
    pub auth_method: Option<String>,
    /// Grant types (repeatable): authorization_code, implicit, refresh_token,
    /// client_credentials, urn:ietf:params:oauth:grant-type:device_code (or device_code:
    /// CLIs and TVs, RFC 8628). Default: authorization_code and refresh_token.
    #[arg(long = "grant-type", value_name = "GRANT")]
    pub grant_types: Vec<String>,
    /// Response types (repeatable, quoted: "code id_token"). Default: code with the
    /// authorization_code grant.
    #[arg(long = "response-type", value_name = "TYPE")]
    pub response_types: Vec<String>,
    /// RS256 (default), PS256, ES256, EdDSA, or HS256 (keyed with the client secret).
    #[arg(long, default_value = "RS256")]
    pub id_token_alg: String,
    /// web (the default) or native (OIDC Registration 1.0 §2).
    #[arg(long, value_name = "TYPE")]
    pub application_type: Option<String>,
    /// Scopes the client may request, space-separated; default: the standard OpenID scopes.
    #[arg(long)]
    pub scope: Option<String>,
    /// Where the hub posts logout tokens (Back-Channel Logout 1.0).
    #[arg(long, value_name = "URI")]
    pub backchannel_logout_uri: Option<String>,
    /// A user claim its logout tokens carry besides `sub` (repeatable), such as
    /// preferred_username or email, for an app that finds the user by it (EspoCRM).
    #[arg(long = "backchannel-logout-claim", value_name = "CLAIM")]
    pub backchannel_logout_claims: Vec<String>,
    /// public (the default: the hub's user id) or pairwise (one `sub` per sector).
    #[arg(long, value_name = "TYPE")]
    pub subject_type: Option<String>,
    /// A JSON array of the sector's redirect URIs; its host is the pairwise sector.
    #[arg(long, value_name = "URI")]
    pub sector_identifier_uri: Option<String>,
    /// Where the client publishes its public keys (JWK Set): for private_key_jwt, signed
    /// request objects, and what the hub encrypts to it.
    #[arg(long, value_name = "URI")]
    pub jwks_uri: Option<String>,
    /// Encrypt its ID tokens to its key: ALG or ALG/ENC (RSA-OAEP-256/A256GCM; ENC
    /// defaults to A128CBC-HS256).
    #[arg(long, value_name = "ALG[/ENC]")]
    pub id_token_encryption: Option<String>,
    /// Encrypt its userinfo responses to its key: ALG or ALG/ENC.
    #[arg(long, value_name = "ALG[/ENC]")]
    pub userinfo_encryption: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ClientUpdate {
    /// The client's client_id.
    pub client_id: String,
    /// Human-readable name shown on the consent page.
    #[arg(long)]
    pub name: Option<String>,
    /// Redirect URIs (repeatable); replace the registered ones.
    #[arg(long = "redirect-uri", value_name = "URI")]
    pub redirect_uris: Vec<String>,
    /// Post-logout redirect URIs (repeatable); replace the registered ones.
    #[arg(long = "post-logout-redirect-uri", value_name = "URI")]
    pub post_logout_redirect_uris: Vec<String>,
    /// true: never ask for consent (first-party app); false: ask.
    #[arg(long, value_name = "BOOL")]
    pub skip_authorization: Option<bool>,
    /// true: its users must prove a second factor; false: as their groups say.
    #[arg(long, value_name = "BOOL")]
    pub require_second_factor: Option<bool>,
    /// Only members of these groups may use the client (repeatable); replace the list.
    #[arg(long = "allowed-group", value_name = "GROUP")]
    pub allowed_groups: Vec<String>,
    /// Let every user use the client again.
    #[arg(long, conflicts_with = "allowed_groups")]
    pub any_group: bool,
    /// client_secret_basic, client_secret_post, or none; turning a public client
    /// confidential prints its new secret once.
    #[arg(long)]
    pub auth_method: Option<String>,
    /// Grant types (repeatable); replace the registered ones.
    #[arg(long = "grant-type", value_name = "GRANT")]
    pub grant_types: Vec<String>,
    /// Response types (repeatable); replace the registered ones.
    #[arg(long = "response-type", value_name = "TYPE")]
    pub response_types: Vec<String>,
    /// RS256, PS256, ES256, EdDSA or HS256.
    #[arg(long)]
    pub id_token_alg: Option<String>,
    /// Scopes the client may request, space-separated.
    #[arg(long)]
    pub scope: Option<String>,
    /// Where the hub posts logout tokens; an empty value removes it.
    #[arg(long, value_name = "URI")]
    pub backchannel_logout_uri: Option<String>,
    /// The user claims its logout tokens carry (repeatable; replaces the list; an empty
    /// value empties it).
    #[arg(long = "backchannel-logout-claim", value_name = "CLAIM")]
    pub backchannel_logout_claims: Vec<String>,
    /// public or pairwise; changing it changes every user's `sub` at this client.
    #[arg(long, value_name = "TYPE")]
    pub subject_type: Option<String>,
    /// The pairwise sector's document; an empty value removes it.
    #[arg(long, value_name = "URI")]
    pub sector_identifier_uri: Option<String>,
    /// Where the client publishes its public keys; an empty value removes it.
    #[arg(long, value_name = "URI")]
    pub jwks_uri: Option<String>,
    /// Encrypt its ID tokens: ALG or ALG/ENC; an empty value stops it.
    #[arg(long, value_name = "ALG[/ENC]")]
    pub id_token_encryption: Option<String>,
    /// Encrypt its userinfo responses: ALG or ALG/ENC; an empty value stops it.
    #[arg(long, value_name = "ALG[/ENC]")]
    pub userinfo_encryption: Option<String>,
    /// Upstreams the client's users may sign in with (repeatable slugs); replace the list.
    #[arg(long = "allowed-social-login-key", value_name = "SLUG")]
    pub allowed_social_login_keys: Vec<String>,
    /// Sign in through this upstream only (IdP-only client); an empty value removes it.
    #[arg(long, value_name = "SLUG")]
    pub default_social_login_key: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(state: &AppState, command: ClientCommand) -> anyhow::Result<()> {
    match command {
        ClientCommand::Add(add) => {
            let as_json = add.json;
            let client_id = add.client_id.clone();
            let created = clients::create(state, &by(), client_id, metadata_from(add)?).await?;
            print_created(&created, as_json);
        }
        ClientCommand::List => {
            for client in state.store.list_clients(None, Window::ALL).await?.items.into_iter().map(|s| s.client) {
                let uris = client.redirect_uris.join(" ");
                println!("{}\t{}\t{}\t{uris}", client.client_id, client.client_name, client.token_endpoint_auth_method);
            }
        }
        ClientCommand::Update(update) => {
            let existing = clients::find(state, &update.client_id).await?;
            let as_json = update.json;
            let client_id = update.client_id.clone();
            let metadata = changed(ClientMetadata::from(&existing.client), update)?;
            let updated = clients::update(state, &by(), &client_id, metadata).await?;
            print_created(&updated, as_json);
        }
        ClientCommand::Delete { client_id } => {
            clients::delete(state, &by(), &client_id).await?;
            println!("deleted {client_id}");
        }
        ClientCommand::RotateSecret { client_id, json } => {
            let secret = clients::rotate_secret(state, &by(), &client_id).await?;
            if json {
                println!("{}", serde_json::json!({ "client_id": client_id, "client_secret": secret }));
            } else {
                println!("client_secret: {secret}");
                println!("(the secret is shown only now; the previous one no longer works)");
            }
        }
    }
    Ok(())
}

fn print_created(done: &WithSecret, as_json: bool) {
    let client_id = &done.client.client.client_id;
    if as_json {
        println!("{}", serde_json::json!({ "client_id": client_id, "client_secret": done.secret }));
        return;
    }
    println!("client_id:     {client_id}");
    if let Some(secret) = &done.secret {
        println!("client_secret: {secret}");
        println!("(the secret is shown only now; store it in the app's configuration)");
    }
}

fn metadata_from(add: ClientAdd) -> anyhow::Result<ClientMetadata> {
    let id_token_encryption = add.id_token_encryption.as_deref().map(encryption).transpose()?;
    let userinfo_encryption = add.userinfo_encryption.as_deref().map(encryption).transpose()?;
    let token_endpoint_auth_method = match (add.public, add.auth_method.as_deref()) {
        (true, None | Some("none")) => TokenEndpointAuthMethod::None,
        (true, Some(_)) => bail!("a public client authenticates with `none`"),
        (false, None) => TokenEndpointAuthMethod::ClientSecretBasic,
        (false, Some(method)) => auth_method(method)?,
    };
    let grant_types = if add.grant_types.is_empty() {
        vec![GrantType::AuthorizationCode, GrantType::RefreshToken]
    } else {
        grant_types(&add.grant_types)?
    };
    Ok(ClientMetadata {
        id_token_encrypted_response_alg: id_token_encryption.map(|(alg, _)| alg),
        id_token_encrypted_response_enc: id_token_encryption.and_then(|(_, enc)| enc),
        userinfo_encrypted_response_alg: userinfo_encryption.map(|(alg, _)| alg),
        userinfo_encrypted_response_enc: userinfo_encryption.and_then(|(_, enc)| enc),
        client_name: add.name,
        redirect_uris: add.redirect_uris,
        post_logout_redirect_uris: add.post_logout_redirect_uris,
        response_types: response_types(&add.response_types, &grant_types)?,
        grant_types,
        token_endpoint_auth_method,
        id_token_signed_response_alg: id_token_alg(&add.id_token_alg)?,
        backchannel_logout_uri: add.backchannel_logout_uri,
        backchannel_logout_claims: add.backchannel_logout_claims,
        scope: add.scope,
        skip_authorization: add.skip_authorization,
        require_second_factor: add.require_second_factor,
        allowed_groups: add.allowed_groups,
        application_type: match add.application_type.as_deref() {
            None => ApplicationType::Web,
            Some(name) => ApplicationType::parse(name).context("--application-type must be web or native")?,
        },
        subject_type: match add.subject_type.as_deref() {
            None => SubjectType::Public,
            Some(name) => subject_type(name)?,
        },
        sector_identifier_uri: add.sector_identifier_uri,
        jwks_uri: add.jwks_uri,
        ..ClientMetadata::default()
    })
}

/// The client's metadata with what `update` gives in place of what it had.
fn changed(mut metadata: ClientMetadata, update: ClientUpdate) -> anyhow::Result<ClientMetadata> {
    if let Some(name) = update.name {
        metadata.client_name = name;
    }
    if !update.redirect_uris.is_empty() {
        metadata.redirect_uris = update.redirect_uris;
    }
    if !update.post_logout_redirect_uris.is_empty() {
        metadata.post_logout_redirect_uris = update.post_logout_redirect_uris;
    }
    if let Some(skip) = update.skip_authorization {
        metadata.skip_authorization = skip;
    }
    if let Some(required) = update.require_second_factor {
        metadata.require_second_factor = required;
    }
    if !update.allowed_groups.is_empty() || update.any_group {
        metadata.allowed_groups = update.allowed_groups;
    }
    if let Some(method) = &update.auth_method {
        metadata.token_endpoint_auth_method = auth_method(method)?;
    }
    if !update.grant_types.is_empty() {
        metadata.grant_types = grant_types(&update.grant_types)?;
        metadata.response_types = response_types(&update.response_types, &metadata.grant_types)?;
    } else if !update.response_types.is_empty() {
        metadata.response_types = response_types(&update.response_types, &metadata.grant_types)?;
    }
    if let Some(alg) = &update.id_token_alg {
        metadata.id_token_signed_response_alg = id_token_alg(alg)?;
    }
    if update.scope.is_some() {
        metadata.scope = update.scope;
    }
    if let Some(uri) = update.backchannel_logout_uri {
        metadata.backchannel_logout_uri = Some(uri).filter(|uri| !uri.is_empty());
    }
    if !update.backchannel_logout_claims.is_empty() {
        metadata.backchannel_logout_claims =
            update.backchannel_logout_claims.into_iter().filter(|c| !c.is_empty()).collect();
    }
    if let Some(name) = &update.subject_type {
        metadata.subject_type = subject_type(name)?;
    }
    if let Some(uri) = update.sector_identifier_uri {
        metadata.sector_identifier_uri = Some(uri).filter(|uri| !uri.is_empty());
    }
    if let Some(uri) = update.jwks_uri {
        metadata.jwks_uri = Some(uri).filter(|uri| !uri.is_empty());
        metadata.jwks = None;
    }
    if let Some(value) = update.id_token_encryption.as_deref() {
        let chosen = Some(value).filter(|v| !v.is_empty()).map(encryption).transpose()?;
        metadata.id_token_encrypted_response_alg = chosen.map(|(alg, _)| alg);
        metadata.id_token_encrypted_response_enc = chosen.and_then(|(_, enc)| enc);
    }
    if let Some(value) = update.userinfo_encryption.as_deref() {
        let chosen = Some(value).filter(|v| !v.is_empty()).map(encryption).transpose()?;
        metadata.userinfo_encrypted_response_alg = chosen.map(|(alg, _)| alg);
        metadata.userinfo_encrypted_response_enc = chosen.and_then(|(_, enc)| enc);
    }
    if !update.allowed_social_login_keys.is_empty() {
        metadata.allowed_social_login_keys = update.allowed_social_login_keys;
    }
    if let Some(slug) = update.default_social_login_key {
        metadata.default_social_login_key = Some(slug).filter(|slug| !slug.is_empty());
    }
    Ok(metadata)
}

/// `ALG` or `ALG/ENC` (`RSA-OAEP-256/A256GCM`).
fn encryption(value: &str) -> anyhow::Result<(KeyEncryptionAlg, Option<ContentEncryptionAlg>)> {
    let (alg, enc) = match value.split_once('/') {
        Some((alg, enc)) => (alg, Some(enc)),
        None => (value, None),
    };
    let alg = KeyEncryptionAlg::parse(alg)
        .with_context(|| format!("unknown encryption algorithm {alg}; use RSA1_5, RSA-OAEP or RSA-OAEP-256"))?;
    let enc = enc
        .map(|enc| {
            ContentEncryptionAlg::parse(enc).with_context(|| {
                format!("unknown content encryption {enc}; use A128CBC-HS256, A256CBC-HS512, A128GCM or A256GCM")
            })
        })
        .transpose()?;
    Ok((alg, enc))
}

fn subject_type(name: &str) -> anyhow::Result<SubjectType> {
    SubjectType::parse(name).with_context(|| format!("unknown --subject-type {name}; use public or pairwise"))
}

fn auth_method(method: &str) -> anyhow::Result<TokenEndpointAuthMethod> {
    TokenEndpointAuthMethod::parse(method)
        .with_context(|| format!("unknown --auth-method {method}; use client_secret_basic, client_secret_post or none"))
}

/// The RFC names, and `device_code` for the device grant's URN.
fn grant_types(names: &[String]) -> anyhow::Result<Vec<GrantType>> {
    let parse = |name: &str| match name {
        "device_code" => Some(GrantType::DeviceCode),
        name => GrantType::parse(name),
    };
    names.iter().map(|g| parse(g).with_context(|| format!("unknown --grant-type {g}"))).collect()
}

fn id_token_alg(alg: &str) -> anyhow::Result<SigningAlg> {
    SigningAlg::parse(alg).context("--id-token-alg must be RS256, PS256, ES256, EdDSA or HS256")
}

/// The named response types; none named, the code response type goes with the
/// authorization_code grant (RFC 7591 §2.1).
fn response_types(names: &[String], grant_types: &[GrantType]) -> anyhow::Result<Vec<ResponseType>> {
    if names.is_empty() {
        let code = grant_types.contains(&GrantType::AuthorizationCode);
        return Ok(if code { vec![ResponseType::Code] } else { Vec::new() });
    }
    names
        .iter()
        .map(|name| ResponseType::from_words(name).with_context(|| format!("unknown --response-type {name}")))
        .collect()
}
