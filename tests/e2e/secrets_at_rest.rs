//! Secrets at rest (SPEC §8): client secrets, upstream client secrets and signing keys are
//! stored sealed with the master key, never in clear; the generated master key file is
//! readable by its owner only.

use e2e::TestHub;

/// DER of the rsaEncryption OID: every PKCS#8 RSA private key (the form the hub stores,
/// sealed) contains it in clear.
const RSA_ENCRYPTION_OID: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

#[tokio::test]
async fn client_secrets_and_private_keys_are_sealed_in_the_database() {
    let backend = crate::backend();
    if backend.database_url.is_some() {
        eprintln!("skipped: this test reads the embedded SQLite files");
        return;
    }
    let hub = TestHub::spawn().await;
    let creds = hub.add_client(&["--name", "Wiki", "--redirect-uri", "https://wiki.example.com/cb"]);
    let secret = creds.client_secret.expect("a secret");
    let (ok, _, err) = hub.cli(&["keys", "rotate"], None);
    assert!(ok, "{err}");
    let upstream_secret = "upstream-secret-7f3a9c1e5b";
    let key = serde_json::json!({"slug": "corp", "display_name": "Corp", "kind": "keycloak", "enabled": true,
        "issuer": "https://sso.example.com/realms/corp", "client_id": "hub", "client_secret": upstream_secret});
    e2e::AdminApi::new(&hub).post("/social-login-keys", key).await.ok(reqwest::StatusCode::CREATED);

    let data = hub.data_dir();
    let mut stored = Vec::new();
    for file in ["hub.db", "hub.db-wal"] {
        if let Ok(bytes) = std::fs::read(data.join(file)) {
            stored.extend(bytes);
        }
    }
    assert!(stored.len() > 10_000, "the database files were read");
    assert!(contains(&stored, creds.client_id.as_bytes()), "the client is in the database");
    assert!(!contains(&stored, secret.as_bytes()), "the client secret is not stored in clear");
    assert!(contains(&stored, b"sso.example.com/realms/corp"), "the social login key is in the database");
    assert!(!contains(&stored, upstream_secret.as_bytes()), "the upstream secret is not stored in clear");
    assert!(!contains(&stored, RSA_ENCRYPTION_OID), "no RSA private key is stored in clear");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("master.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the master key file is private");
    }
}
