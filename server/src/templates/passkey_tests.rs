//! The passkey pages and buttons render from their contexts: the script is the hub's own
//! file (never inline), the forms carry CSRF, and nothing needs JavaScript but the
//! ceremony itself.

use super::*;

fn templates() -> Templates {
    Templates::load(None, "Hub", "/static").unwrap()
}

fn button(purpose: PasskeyPurpose) -> Option<PasskeyForm> {
    Some(PasskeyForm { options: "/login/passkey/options".into(), action: "/login/passkey".into(), purpose })
}

fn login_page() -> LoginPage {
    LoginPage {
        action: "/login".into(),
        csrf_token: "tok".into(),
        interaction: "i1".into(),
        username: String::new(),
        error: None,
        client_name: "Wiki".into(),
        password_login: true,
        social_login_keys: vec![],
        passkey: button(PasskeyPurpose::SignIn),
        reset_href: None,
        sign_up_href: None,
    }
}

#[test]
fn the_login_page_offers_a_passkey_beside_the_password_form() {
    let page = login_page();
    let html = templates().render(&page).unwrap();
    assert!(html.contains(r#"<label for="password">Password</label>"#), "the password form stays");
    assert!(html.contains(">Sign in with a passkey</button>"));
    // minijinja escapes the slashes of attribute values (`&#x2f;`), which browsers read back.
    let html = html.replace("&#x2f;", "/");
    assert!(html.contains(r#"data-options="/login/passkey/options""#) && html.contains(r#"action="/login/passkey""#));
    assert!(html.contains(r#"<script src="/static/passkey.js" defer></script>"#));
    assert!(!html.contains("<script>"), "no inline script");
    let without = LoginPage { passkey: None, ..page };
    assert!(!templates().render(&without).unwrap().contains("passkey.js"));
}

#[test]
fn the_second_factor_page_offers_the_factors_the_user_has() {
    let page = |totp, passkey| SecondFactorPage {
        action: "/login/second-factor".into(),
        csrf_token: "tok".into(),
        interaction: "i-1".into(),
        client_name: "Wiki".into(),
        username: "alice".into(),
        error: None,
        totp,
        passkey,
    };
    let both = templates().render(&page(true, button(PasskeyPurpose::SecondFactor))).unwrap();
    assert!(both.contains(">Verify</button>") && both.contains(">Use a passkey</button>"));
    let passkey_only = templates().render(&page(false, button(PasskeyPurpose::SecondFactor))).unwrap();
    assert!(!passkey_only.contains(">Verify</button>") && passkey_only.contains("<noscript>"));
    let totp_only = templates().render(&page(true, None)).unwrap();
    assert!(!totp_only.contains("passkey"));
}

#[test]
fn the_account_page_lists_renames_and_removes_without_script() {
    let page = |may_change| AccountPasskeysPage {
        username: "alice".into(),
        action: "/account/passkeys".into(),
        options: "/account/passkeys/options".into(),
        csrf_token: "tok".into(),
        passkeys: vec![PasskeyRow {
            id: "p-1".into(),
            name: "Laptop <1>".into(),
            created: "2026-12-02".into(),
            last_used: None,
            synced: false,
        }],
        name_max: 64,
        may_change,
        supported: true,
        notice: Some("Passkey added.".into()),
        error: None,
    };
    let html = templates().render(&page(true)).unwrap();
    assert!(html.contains("Laptop &lt;1&gt;") && html.contains("never used") && html.contains("on one device only"));
    assert!(html.contains(r#"name="operation" value="rename""#) && html.contains(r#"name="operation" value="remove""#));
    assert!(html.contains(">Add a passkey</button>") && html.contains("<noscript>"));
    assert_eq!(html.matches(r#"name="csrf_token" value="tok""#).count(), 3, "every form");
    let password_only = templates().render(&page(false)).unwrap();
    assert!(!password_only.contains(r#"value="remove""#) && !password_only.contains(">Add a passkey</button>"));
    assert!(password_only.contains(r#"value="rename""#), "renaming never weakens the account");
}

#[test]
fn the_passkey_pages_speak_the_readers_language() {
    let german = PageLanguage { code: "de".into(), switch: Vec::new() };
    let page = AccountPasskeysPage {
        username: "bernd".into(),
        action: "/account/passkeys".into(),
        options: "/account/passkeys/options".into(),
        csrf_token: "tok".into(),
        passkeys: vec![PasskeyRow {
            id: "p-1".into(),
            name: "Laptop".into(),
            created: "2026-12-02".into(),
            last_used: Some("2026-12-03".into()),
            synced: true,
        }],
        name_max: 64,
        may_change: true,
        supported: true,
        notice: Some("Passkey “Laptop” added.".into()),
        error: None,
    };
    let html = templates().render_in(&page, &german).unwrap();
    assert!(html.contains(">Passkey hinzufügen</button>") && html.contains(">Laptop entfernen</button>"), "{html}");
    assert!(html.contains("zuletzt verwendet am 2026-12-03") && html.contains("synchronisiert"), "{html}");
    assert!(html.contains("Passkey „Laptop“ hinzugefügt."), "the notice, with the name it was given: {html}");
    // The script's words for the browser's refusals come from the page, in its language.
    assert!(html.contains(r#"data-say-cancelled="Der Passkey wurde nicht verwendet"#), "{html}");

    let login = login_page();
    let french = PageLanguage { code: "fr".into(), switch: Vec::new() };
    let html = templates().render_in(&login, &french).unwrap();
    assert!(html.contains(">Se connecter avec une clé d’accès</button>"), "{html}");
}
