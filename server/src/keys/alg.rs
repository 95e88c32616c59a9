//! The algorithms the hub signs with its own keys (RFC 7518 §3, RFC 8037 §3.1). HMAC is
//! not here: it is keyed with a client's secret, not with a key of the hub's.

use crate::domain::SigningAlg;

/// One active key of each is kept, rotated and published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RSA 2048): what every client verifies; the default.
    RS256,
    /// RSASSA-PSS with SHA-256 (RSA 2048).
    PS256,
    /// ECDSA P-256 with SHA-256: small tokens, fast signatures.
    ES256,
    /// Ed25519 (RFC 8037): the fastest signature.
    EdDSA,
}

impl KeyAlg {
    pub const ALL: [KeyAlg; 4] = [KeyAlg::RS256, KeyAlg::PS256, KeyAlg::ES256, KeyAlg::EdDSA];

    /// The JOSE name, as the `alg` header and the JWKS spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlg::RS256 => "RS256",
            KeyAlg::PS256 => "PS256",
            KeyAlg::ES256 => "ES256",
            KeyAlg::EdDSA => "EdDSA",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.as_str() == value)
    }

    /// The key a client's signing choice needs; None for HS256, keyed with its secret.
    pub fn of(alg: SigningAlg) -> Option<Self> {
        match alg {
            SigningAlg::RS256 => Some(KeyAlg::RS256),
            SigningAlg::PS256 => Some(KeyAlg::PS256),
            SigningAlg::ES256 => Some(KeyAlg::ES256),
            SigningAlg::EdDSA => Some(KeyAlg::EdDSA),
            SigningAlg::HS256 => None,
        }
    }
}

impl std::fmt::Display for KeyAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
