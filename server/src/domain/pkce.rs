//! Proof Key for Code Exchange (RFC 7636), S256 only: `plain` gives no protection
//! against a leaked authorization request and is refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::secrets::constant_time_eq;

/// A `code_challenge` sent with `code_challenge_method=S256`: 43 base64url characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeChallenge(String);

impl CodeChallenge {
    pub fn parse_s256(challenge: &str) -> Option<Self> {
        let well_formed =
            challenge.len() == 43 && challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| Self(challenge.to_owned()))
    }

    /// True when `verifier` is a valid RFC 7636 §4.1 verifier whose S256 is this challenge.
    pub fn is_satisfied_by(&self, verifier: &str) -> bool {
        let well_formed = (43..=128).contains(&verifier.len())
            && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        if !well_formed {
            return false;
        }
        let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        constant_time_eq(computed.as_bytes(), self.0.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_example() {
        let challenge = CodeChallenge::parse_s256("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM").unwrap();
        assert!(challenge.is_satisfied_by("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert!(!challenge.is_satisfied_by("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx"));
        assert!(!challenge.is_satisfied_by("short"));
    }

    #[test]
    fn malformed_challenges_are_refused() {
        assert!(CodeChallenge::parse_s256("too-short").is_none());
        assert!(CodeChallenge::parse_s256(&"=".repeat(43)).is_none());
    }
}
