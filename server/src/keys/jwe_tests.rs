use rsa::traits::PublicKeyParts;

use super::*;

fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

/// RFC 7518 Appendix B.1: AES_128_CBC_HMAC_SHA_256.
#[test]
fn cbc_hmac_matches_the_rfc_7518_test_vector() {
    let cek: Vec<u8> = (0u8..32).collect();
    let plaintext = b"A cipher system must not be required to be secret, and it must be able to fall into the hands of the enemy without inconvenience";
    let iv = hex("1af38c2dc2b96ffdd86694092341bc04");
    let aad = b"The second principle of Auguste Kerckhoffs";
    let (ciphertext, tag) = encrypt_content(&cek, ContentEncryptionAlg::A128CbcHs256, aad, plaintext, &iv).unwrap();
    assert_eq!(
        ciphertext,
        hex(concat!(
            "c80edfa32ddf39d5ef00c0b468834279a2e46a1b8049f792f76bfe54b903a9c9a94ac9b47ad2655c5f10f9aef71427e2",
            "fc6f9b3f399a221489f16362c703233609d45ac69864e3321cf82935ac4096c86e133314c54019e8ca7980dfa4b9cf1b",
            "384c486f3a54c51078158ee5d79de59fbd34d848b3d69550a67646344427ade54b8851ffb598f7f80074b9473c82e2db"
        ))
    );
    assert_eq!(tag, hex("652c3fa36b0a7c5b3219fab3a30bc1c4"));
}

fn rsa_jwk(bits: usize, extra: Value) -> (rsa::RsaPrivateKey, Value) {
    let private = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, bits).unwrap();
    let mut jwk = json!({
        "kty": "RSA",
        "n": URL_SAFE_NO_PAD.encode(private.n().to_bytes_be()),
        "e": URL_SAFE_NO_PAD.encode(private.e().to_bytes_be()),
    });
    if let (Value::Object(jwk), Value::Object(extra)) = (&mut jwk, extra) {
        jwk.extend(extra);
    }
    (private, jwk)
}

#[test]
fn every_algorithm_gives_five_parts_with_the_key_wrapped_for_the_recipient() {
    let (private, jwk) = rsa_jwk(2048, json!({ "kid": "enc-1" }));
    for alg in KeyEncryptionAlg::ALL {
        for enc in ContentEncryptionAlg::ALL {
            let token = encrypt(b"{\"sub\":\"alice\"}", &jwk, *alg, *enc, Content::Json).unwrap();
            let parts: Vec<Vec<u8>> = token.split('.').map(|part| URL_SAFE_NO_PAD.decode(part).unwrap()).collect();
            assert_eq!(parts.len(), 5, "{alg} {enc}");
            let header: Value = serde_json::from_slice(&parts[0]).unwrap();
            assert_eq!(header, json!({ "alg": alg.as_str(), "enc": enc.as_str(), "kid": "enc-1" }));
            // The recipient's private key opens the wrapped key (decryption here is the
            // test's alone: the hub never decrypts).
            let cek = match alg {
                KeyEncryptionAlg::Rsa1_5 => private.decrypt(rsa::Pkcs1v15Encrypt, &parts[1]),
                KeyEncryptionAlg::RsaOaep => private.decrypt(rsa::Oaep::new::<sha1::Sha1>(), &parts[1]),
                KeyEncryptionAlg::RsaOaep256 => private.decrypt(rsa::Oaep::new::<sha2::Sha256>(), &parts[1]),
            }
            .unwrap();
            assert_eq!(cek.len(), cek_len(*enc), "{alg} {enc}");
            assert_eq!(parts[2].len(), iv_len(*enc));
            let (ciphertext, tag) = encrypt_content(
                &cek,
                *enc,
                token.split('.').next().unwrap().as_bytes(),
                b"{\"sub\":\"alice\"}",
                &parts[2],
            )
            .unwrap();
            assert_eq!((ciphertext, tag), (parts[3].clone(), parts[4].clone()), "{alg} {enc}: the content");
        }
    }
}

#[test]
fn the_recipient_is_an_rsa_encryption_key_for_the_algorithm() {
    let (_, signing) = rsa_jwk(2048, json!({ "kid": "sig", "use": "sig" }));
    let (_, other_alg) = rsa_jwk(2048, json!({ "kid": "oaep", "use": "enc", "alg": "RSA-OAEP-256" }));
    let (_, any) = rsa_jwk(2048, json!({ "kid": "any" }));
    let (_, marked) = rsa_jwk(2048, json!({ "kid": "marked", "use": "enc" }));
    let (_, verify_only) = rsa_jwk(2048, json!({ "kid": "verify-only", "key_ops": ["verify"] }));
    let set = json!({ "keys": [{ "kty": "EC", "crv": "P-256", "x": "x", "y": "y" }, signing, verify_only, any.clone(), other_alg] });
    assert_eq!(recipient_key(&set, KeyEncryptionAlg::Rsa1_5).unwrap()["kid"], "any");
    assert_eq!(recipient_key(&set, KeyEncryptionAlg::RsaOaep256).unwrap()["kid"], "oaep", "use and alg named");
    let set = json!({ "keys": [any, marked] });
    assert_eq!(recipient_key(&set, KeyEncryptionAlg::RsaOaep).unwrap()["kid"], "marked", "use enc beats unmarked");
    assert!(matches!(recipient_key(&json!({ "keys": [] }), KeyEncryptionAlg::RsaOaep), Err(JweError::NoKey(_))));
}

#[test]
fn short_or_malformed_keys_are_refused() {
    let (_, short) = rsa_jwk(1024, json!({}));
    let refused = encrypt(b"x", &short, KeyEncryptionAlg::RsaOaep, ContentEncryptionAlg::A128Gcm, Content::Json);
    assert!(matches!(refused, Err(JweError::UnusableKey(_))), "{refused:?}");
    let malformed = json!({ "kty": "RSA", "n": "not base64!", "e": "AQAB" });
    let refused = encrypt(b"x", &malformed, KeyEncryptionAlg::RsaOaep, ContentEncryptionAlg::A128Gcm, Content::Json);
    assert!(matches!(refused, Err(JweError::UnusableKey(_))));
}
