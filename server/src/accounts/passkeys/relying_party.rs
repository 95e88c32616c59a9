//! The hub as a WebAuthn relying party, through webauthn-rs (its types stay in this
//! module): the RP id is the issuer's host and the only origin the issuer's origin, so a
//! passkey works for exactly one hub address. Registration asks for a discoverable
//! credential with user verification, so the same passkey signs in without a username
//! and serves as a second factor. The ceremonies' state is serialisable
//! (`danger-allow-state-serialisation`) because the hub keeps it in its session store,
//! where every instance finds it, for a few minutes and for one use (`ceremony`).

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;
use uuid::Uuid;
use webauthn_rs::prelude::{
    Credential, CredentialID, DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Webauthn, WebauthnBuilder, WebauthnError,
};

/// How long the browser and the person have to answer a ceremony; the stored state lives
/// as long.
pub const CEREMONY_TTL: Duration = Duration::from_secs(180);

#[derive(Debug, thiserror::Error)]
pub enum CeremonyError {
    /// The issuer's host is not a domain name (an IP address): browsers refuse such an RP id.
    #[error("passkeys need an issuer whose host is a domain name")]
    Unsupported,
    /// The browser's answer is malformed, or fails a check of the ceremony.
    #[error("the passkey's answer was not accepted: {0}")]
    Rejected(String),
    /// The signature counter did not move forward (WebAuthn §7.2 step 21): two copies of
    /// the credential's private key may exist.
    #[error("the passkey's signature counter went backwards: possibly a cloned authenticator")]
    CounterRegressed,
    #[error("a stored passkey cannot be read")]
    Corrupt(#[source] serde_json::Error),
}

/// The hub's relying party, built from the issuer.
pub struct RelyingParty {
    webauthn: Webauthn,
}

/// A registration waiting for the browser's answer.
#[derive(Serialize, Deserialize)]
pub struct Registration(PasskeyRegistration);

/// An assertion waiting for the browser's answer: of any discoverable credential
/// (passwordless) or of one of a known user's passkeys (second factor).
#[derive(Serialize, Deserialize)]
pub enum Assertion {
    Discoverable(DiscoverableAuthentication),
    OfUser(PasskeyAuthentication),
}

/// A credential as the store keeps it.
pub struct NewCredential {
    pub credential_id: String,
    pub credential: String,
    pub sign_count: u32,
    pub backup_eligible: bool,
    pub backup_state: bool,
}

/// What a verified assertion says.
#[derive(Debug, Clone)]
pub struct Verified {
    pub credential_id: String,
    pub sign_count: u32,
    pub user_verified: bool,
    pub backup_eligible: bool,
    pub backup_state: bool,
    /// The stored credential with the assertion's counter and flags.
    pub updated_credential: String,
}

impl RelyingParty {
    pub fn for_issuer(issuer: &Url) -> Result<Self, CeremonyError> {
        let host = issuer.domain().ok_or(CeremonyError::Unsupported)?;
        let origin = Url::parse(&issuer.origin().ascii_serialization()).map_err(|_| CeremonyError::Unsupported)?;
        let webauthn = WebauthnBuilder::new(host, &origin)
            .and_then(|builder| builder.rp_name(host).timeout(CEREMONY_TTL).build())
            .map_err(|_| CeremonyError::Unsupported)?;
        Ok(Self { webauthn })
    }

    /// The options for `navigator.credentials.create()`, and the state to finish with.
    /// `existing` are the user's credentials, which the authenticator must not register again.
    pub fn start_registration(
        &self,
        user_id: Uuid,
        username: &str,
        display_name: &str,
        existing: &[String],
    ) -> Result<(Value, Registration), CeremonyError> {
        let exclude = existing.iter().map(|stored| passkey(stored).map(|p| p.cred_id().clone()));
        let exclude = exclude.collect::<Result<Vec<CredentialID>, _>>()?;
        let (options, state) = self
            .webauthn
            .start_passkey_registration(user_id, username, display_name, Some(exclude))
            .map_err(rejected)?;
        let mut options = serde_json::to_value(options).map_err(CeremonyError::Corrupt)?;
        // webauthn-rs leaves residence to the authenticator; passwordless sign-in needs a
        // credential the authenticator can find by itself, so ask for one (WebAuthn §5.4.4).
        if let Some(selection) = options.pointer_mut("/publicKey/authenticatorSelection").and_then(Value::as_object_mut)
        {
            selection.insert("residentKey".into(), "required".into());
            selection.insert("requireResidentKey".into(), true.into());
        }
        Ok((options, Registration(state)))
    }

    /// Checks the browser's answer to a registration; the credential to store.
    pub fn finish_registration(&self, answer: &str, state: &Registration) -> Result<NewCredential, CeremonyError> {
        let answer: RegisterPublicKeyCredential = serde_json::from_str(answer).map_err(|e| rejected(e.to_string()))?;
        let passkey = self.webauthn.finish_passkey_registration(&answer, &state.0).map_err(rejected)?;
        let credential = serde_json::to_string(&passkey).map_err(CeremonyError::Corrupt)?;
        let credential_id = encode_id(passkey.cred_id());
        let internals = Credential::from(passkey);
        Ok(NewCredential {
            credential_id,
            credential,
            sign_count: internals.counter,
            backup_eligible: internals.backup_eligible,
            backup_state: internals.backup_state,
        })
    }

    /// The options for `navigator.credentials.get()` without a user: the authenticator
    /// offers its discoverable credentials for the hub.
    pub fn start_discoverable(&self) -> Result<(Value, Assertion), CeremonyError> {
        let (mut options, state) = self.webauthn.start_discoverable_authentication().map_err(rejected)?;
        // A button press asks in a dialog, not in the username field's autofill.
        options.mediation = None;
        let options = serde_json::to_value(options).map_err(CeremonyError::Corrupt)?;
        Ok((options, Assertion::Discoverable(state)))
    }

    /// The options for `navigator.credentials.get()` with one user's credentials.
    pub fn start_for_user(&self, stored: &[String]) -> Result<(Value, Assertion), CeremonyError> {
        let passkeys = stored.iter().map(|stored| passkey(stored)).collect::<Result<Vec<_>, _>>()?;
        let (options, state) = self.webauthn.start_passkey_authentication(&passkeys).map_err(rejected)?;
        let options = serde_json::to_value(options).map_err(CeremonyError::Corrupt)?;
        Ok((options, Assertion::OfUser(state)))
    }

    /// The credential id and user handle an assertion names, before it is verified: which
    /// stored passkey to verify it against.
    pub fn identify(answer: &str) -> Result<(String, Option<Uuid>), CeremonyError> {
        let answer: PublicKeyCredential = serde_json::from_str(answer).map_err(|e| rejected(e.to_string()))?;
        let user = answer.get_user_unique_id().and_then(|handle| Uuid::from_slice(handle).ok());
        Ok((encode_id(answer.get_credential_id()), user))
    }

    /// Verifies an assertion against the stored credential it names.
    pub fn finish_assertion(&self, answer: &str, state: Assertion, stored: &str) -> Result<Verified, CeremonyError> {
        let answer: PublicKeyCredential = serde_json::from_str(answer).map_err(|e| rejected(e.to_string()))?;
        let mut passkey = passkey(stored)?;
        let result = match state {
            Assertion::Discoverable(state) => self
                .webauthn
                .finish_discoverable_authentication_v2(&answer, state, DiscoverableKey::from(&passkey))
                .map_err(refused)?,
            Assertion::OfUser(state) => {
                self.webauthn.finish_passkey_authentication(&answer, &state).map_err(refused)?
            }
        };
        if passkey.update_credential(&result).is_none() {
            return Err(rejected("the assertion is of another credential"));
        }
        Ok(Verified {
            credential_id: encode_id(result.cred_id()),
            sign_count: result.counter(),
            user_verified: result.user_verified(),
            backup_eligible: result.backup_eligible(),
            backup_state: result.backup_state(),
            updated_credential: serde_json::to_string(&passkey).map_err(CeremonyError::Corrupt)?,
        })
    }
}

fn passkey(stored: &str) -> Result<Passkey, CeremonyError> {
    serde_json::from_str(stored).map_err(CeremonyError::Corrupt)
}

fn encode_id(id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(id)
}

fn rejected(error: impl std::fmt::Display) -> CeremonyError {
    CeremonyError::Rejected(error.to_string())
}

/// webauthn-rs refuses a counter that did not move forward; the hub tells that apart.
fn refused(error: WebauthnError) -> CeremonyError {
    match error {
        WebauthnError::CredentialPossibleCompromise => CeremonyError::CounterRegressed,
        other => rejected(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rp_id_is_the_issuers_host_and_an_ip_address_is_refused() {
        let hub = RelyingParty::for_issuer(&Url::parse("https://login.example.com/sso").unwrap()).unwrap();
        let (options, _) = hub.start_registration(Uuid::new_v4(), "alice", "Alice", &[]).unwrap();
        assert_eq!(options["publicKey"]["rp"]["id"], "login.example.com");
        assert_eq!(options["publicKey"]["authenticatorSelection"]["residentKey"], "required");
        assert_eq!(options["publicKey"]["authenticatorSelection"]["userVerification"], "required");
        let ip = RelyingParty::for_issuer(&Url::parse("http://127.0.0.1:8080").unwrap());
        assert!(matches!(ip, Err(CeremonyError::Unsupported)));
        assert!(matches!(refused(WebauthnError::CredentialPossibleCompromise), CeremonyError::CounterRegressed));
    }

    #[test]
    fn a_malformed_answer_is_rejected_not_a_panic() {
        let hub = RelyingParty::for_issuer(&Url::parse("http://localhost:8080").unwrap()).unwrap();
        let (_, state) = hub.start_registration(Uuid::new_v4(), "alice", "Alice", &[]).unwrap();
        assert!(matches!(hub.finish_registration("{}", &state), Err(CeremonyError::Rejected(_))));
        assert!(matches!(RelyingParty::identify("not json"), Err(CeremonyError::Rejected(_))));
        let (options, _) = hub.start_discoverable().unwrap();
        assert!(
            options["publicKey"].get("allowCredentials").is_none_or(|list| list.as_array().is_some_and(Vec::is_empty))
        );
    }
}
