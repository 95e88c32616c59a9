//! Config as code (SPEC §6): a TOML file that declares groups, Social Login Keys,
//! clients and users, with secrets by reference to an environment variable or a file.
//! `hub apply` (and `HUB_APPLY_FILE` at start) makes the hub match it through the same
//! service layer as the admin API (`apply`); `hub export` writes the hub as such a file
//! (`export`). The file uses the admin API's field names; its types are its own, so the
//! admin API's wire models stay a shell.

pub mod apply;
pub mod export;
mod resolve;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::domain::protocol::{ContentEncryptionAlg, KeyEncryptionAlg};
use crate::domain::{
    ApplicationType, GrantType, RequestObjectAlg, ResponseType, SigningAlg, SubjectType, TokenEndpointAuthMethod,
};

pub use resolve::Problems;

/// The whole file. Every section is optional; what it leaves out is left alone.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declared {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupDecl>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub social_login_keys: Vec<KeyDecl>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clients: Vec<ClientDecl>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<UserDecl>,
    #[serde(default, skip_serializing_if = "Prune::is_none")]
    pub prune: Prune,
}

/// Where a secret is: never in the file itself, so the file can be kept in git.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretRef {
    /// The value of this environment variable.
    Env(String),
    /// The contents of this file, without a trailing newline (Docker secrets).
    File(PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupDecl {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub require_second_factor: bool,
}

/// A client under the RFC 7591 names of the admin API. Left out, a field takes the
/// admin API's default, so the file says everything the client is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientDecl {
    /// The stable identity apply matches on.
    pub client_id: String,
    pub client_name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirect_uris: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub post_logout_redirect_uris: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types: Option<Vec<GrantType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_types: Option<Vec<ResponseType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<TokenEndpointAuthMethod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_signed_response_alg: Option<SigningAlg>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub skip_authorization: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_social_login_keys: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_social_login_key: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub require_second_factor: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_groups: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_type: Option<ApplicationType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_logout_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backchannel_logout_claims: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub backchannel_logout_session_required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_signed_response_alg: Option<SigningAlg>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_encrypted_response_alg: Option<KeyEncryptionAlg>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_encrypted_response_enc: Option<ContentEncryptionAlg>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_encrypted_response_alg: Option<KeyEncryptionAlg>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_encrypted_response_enc: Option<ContentEncryptionAlg>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_object_signing_alg: Option<RequestObjectAlg>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request_uris: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub require_pushed_authorization_requests: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_max_age: Option<u64>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub require_auth_time: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_type: Option<SubjectType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector_identifier_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tos_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiate_login_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<String>,
    /// A confidential client's secret; left out, the hub keeps (or generates) its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<SecretRef>,
}

/// A Social Login Key under the names of the admin API's social-login-keys resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyDecl {
    pub slug: String,
    pub display_name: String,
    /// `oidc`, `oauth2`, or a preset: `google`, `microsoft`, `github`, `gitlab`,
    /// `keycloak`, `frappe`, `hub`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_session_endpoint: Option<String>,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Declared keys are enabled unless the file says otherwise.
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_signup: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub trust_email: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub trust_mfa: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_claim: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups_claim: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub group_mapping: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub claim_mapping: BTreeMap<String, String>,
    /// `client_secret_basic` or `client_secret_post`; unset: discovery's, else the preset's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub end_upstream_session: bool,
    #[serde(default = "yes")]
    pub sync_profile: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub email_domains: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Left out, the stored secret stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<SecretRef>,
}

/// A user, matched on the username. The OIDC Core §5.1 claims beyond `email` and `name`
/// are not declared here: apply leaves them as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserDecl {
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub email_verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub disabled: bool,
    /// Set when the user is created; afterwards only with `reset_password`, so a user
    /// who changed it keeps theirs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<SecretRef>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub reset_password: bool,
}

/// What apply deletes: only the kinds named here, only what the file does not declare.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prune {
    /// Never the admin UI's client, never dynamically registered ones.
    #[serde(default)]
    pub clients: bool,
    #[serde(default)]
    pub social_login_keys: bool,
    /// Never `admins`.
    #[serde(default)]
    pub groups: bool,
    /// Every user the file does not name: dangerous, so only with an explicit true.
    #[serde(default)]
    pub users: bool,
}

impl Prune {
    fn is_none(&self) -> bool {
        *self == Prune::default()
    }
}

/// A list of resources as an array of tables, their nested tables inline; a lone table
/// (`prune`) as a table.
fn as_tables(item: toml_edit::Item) -> toml_edit::Item {
    use toml_edit::{ArrayOfTables, Item, Table, Value};
    let tables: Vec<Table> = match item {
        Item::ArrayOfTables(array) => array.into_iter().collect(),
        Item::Value(Value::Array(array)) => array
            .into_iter()
            .filter_map(|value| match value {
                Value::InlineTable(table) => Some(table.into_table()),
                _ => None,
            })
            .collect(),
        Item::Value(Value::InlineTable(table)) => return Item::Table(table.into_table()),
        other => return other,
    };
    let mut array = ArrayOfTables::new();
    for mut table in tables {
        for (_, value) in table.iter_mut() {
            let taken = std::mem::take(value);
            *value = taken.into_value().map(Item::Value).unwrap_or_else(|item| item);
        }
        array.push(table);
    }
    Item::ArrayOfTables(array)
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn yes() -> bool {
    true
}

impl Declared {
    /// The file's text as TOML; an unknown field or a wrong type is one problem.
    pub fn parse(text: &str) -> Result<Self, Problems> {
        toml::from_str(text).map_err(|error| {
            // toml's message spans several lines (a snippet of the file); keep the first.
            let message = error.message().lines().next().unwrap_or("not TOML").to_owned();
            let line = |start: usize| text.get(..start).map_or(1, |before| before.matches('\n').count() + 1);
            let place = error.span().map(|span| format!("line {}: ", line(span.start))).unwrap_or_default();
            Problems(vec![format!("{place}{message}")])
        })
    }

    /// Each resource as a `[[section]]` table, a secret reference or a map inside it on
    /// one line (`secret = { env = "X" }`), as a person would write it.
    pub fn to_toml(&self) -> Result<String, toml_edit::ser::Error> {
        let mut document = toml_edit::ser::to_document(self)?;
        for (_, item) in document.iter_mut() {
            *item = as_tables(std::mem::take(item));
        }
        Ok(document.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_parses_and_its_clients_pass_the_rules() {
        let declared = Declared::parse(include_str!("../../../docs/hub.apply.example.toml")).unwrap_or_default();
        assert_eq!(declared.clients.len(), 3);
        assert_eq!(declared.clients[0].secret, Some(SecretRef::Env("WIKI_CLIENT_SECRET".into())));
        assert_eq!(
            declared.social_login_keys[1].client_secret,
            Some(SecretRef::File("/run/secrets/corp_client_secret".into()))
        );
        for client in &declared.clients {
            let checked = resolve::metadata_of(client).into_client(client.client_id.clone());
            assert!(checked.is_ok(), "{}: {:?}", client.client_id, checked.err().map(|e| e.to_string()));
        }
        assert_eq!(declared.prune, Prune::default());
    }

    #[test]
    fn unknown_fields_and_two_sources_for_a_secret_are_refused() {
        let unknown = Declared::parse("[[groups]]\nname = \"a\"\ncolour = \"red\"\n").err().map(|p| p.0);
        assert!(unknown.as_ref().is_some_and(|p| p[0].starts_with("line 3: unknown field `colour`")), "{unknown:?}");
        let both = "[[users]]\nusername = \"a\"\npassword = { env = \"A\", file = \"/a\" }\n";
        assert!(Declared::parse(both).is_err());
    }

    #[test]
    fn export_writes_secret_references_as_apply_reads_them() {
        let declared = Declared {
            clients: vec![ClientDecl {
                client_id: "wiki".into(),
                client_name: "Wiki".into(),
                secret: Some(SecretRef::Env(export::secret_variable(export::CLIENT_SECRET_PREFIX, "team-wiki.app"))),
                ..ClientDecl::default()
            }],
            ..Declared::default()
        };
        let text = declared.to_toml().unwrap_or_default();
        assert!(text.contains("secret = { env = \"HUB_SECRET_TEAM_WIKI_APP\" }"), "{text}");
        assert_eq!(Declared::parse(&text).map(|d| d.clients).ok(), Some(declared.clients));
    }
}
