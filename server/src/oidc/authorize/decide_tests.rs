//! The table of `decide`: each row is a request, its progress and the facts, and the
//! step the flow must take.

use uuid::Uuid;

use super::*;
use crate::domain::claims_request::AcrRequest;
use crate::domain::social_login_key::{SocialLoginKey, UpstreamKind, example};
use crate::domain::{ResponseMode, ScopeSet};
use crate::oidc::authorize::pending::{Recipient, ResponseTarget};

pub(super) const NOW: i64 = 1_800_000_000;
pub(super) const ALICE: Uuid = Uuid::from_u128(1);
const BOB: Uuid = Uuid::from_u128(2);

pub(super) fn request() -> AuthorizationRequest {
    AuthorizationRequest {
        response_type: crate::domain::ResponseType::Code,
        client_id: "wiki".into(),
        client_name: "Wiki".into(),
        unverified_client: false,
        target: Recipient::Redirect(ResponseTarget {
            redirect_uri: "https://wiki.example/cb".into(),
            mode: ResponseMode::Query,
            state: None,
        }),
        scope: ScopeSet::parse("openid email").unwrap(),
        nonce: None,
        code_challenge: None,
        prompt: Vec::new(),
        max_age: None,
        login_hint: None,
        ui_locales: None,
        idp_hint: None,
        expected_subject: None,
        id_token_claims: Vec::new(),
        acr: None,
    }
}

pub(super) fn acr(values: &[&str], essential: bool) -> Option<AcrRequest> {
    Some(AcrRequest { values: values.iter().map(|v| v.to_string()).collect(), essential })
}

pub(super) fn session_of(user: Uuid, signed_in_ago: i64) -> SessionFacts {
    SessionFacts {
        sid: format!("sid-{user}"),
        user_id: user,
        subject: user.to_string(),
        auth_time: NOW - signed_in_ago,
        acr: crate::domain::sign_in::SINGLE_FACTOR_ACR.to_owned(),
        second_factor: false,
        upstream: false,
        groups: Vec::new(),
        enrolled: false,
        second_factor_rule: None,
    }
}

fn key(slug: &str, domains: &[&str]) -> SocialLoginKey {
    SocialLoginKey {
        slug: slug.into(),
        email_domains: domains.iter().map(|d| (*d).to_owned()).collect(),
        ..example(UpstreamKind::Google)
    }
}

/// A client whose users may sign in with a password, `corp` (serving corp.example) or `gh`.
pub(super) fn facts() -> Facts {
    Facts {
        session: None,
        skip_consent: false,
        consent_remembered: false,
        sign_in: SignInOptions {
            password: true,
            keys: vec![key("corp", &["corp.example"]), key("gh", &[])],
            default_key: None,
        },
        allowed_groups: Vec::new(),
        now: NOW,
    }
}

/// One row: what differs from a plain request, plain progress and `facts()`.
struct Case {
    name: &'static str,
    request: fn(&mut AuthorizationRequest),
    progress: fn(&mut Progress),
    facts: fn(&mut Facts),
    expect: Step,
}

fn none<T>(_: &mut T) {}

fn signed_in(f: &mut Facts) {
    f.session = Some(session_of(ALICE, 600));
}

pub(super) fn fail(code: ErrorCode) -> Step {
    Step::Fail(OAuthError::new(code, ""))
}

pub(super) fn same(actual: &Step, expected: &Step) -> bool {
    match (actual, expected) {
        // The table names the code; the descriptions are prose.
        (Step::Fail(a), Step::Fail(b)) => a.code == b.code,
        (a, b) => a == b,
    }
}

#[test]
fn every_combination_takes_the_step_the_specs_say() {
    let cases = [
        // No session.
        Case { name: "no session", request: none, progress: none, facts: none, expect: Step::Login(None) },
        Case {
            name: "no session, prompt=none",
            request: |r| r.prompt = vec![Prompt::None],
            progress: none,
            facts: none,
            expect: fail(ErrorCode::LoginRequired),
        },
        Case {
            name: "no session, prompt=none beats idp_hint",
            request: |r| {
                r.prompt = vec![Prompt::None];
                r.idp_hint = Some("corp".into());
            },
            progress: none,
            facts: none,
            expect: fail(ErrorCode::LoginRequired),
        },
        // A session of an earlier sign-in.
        Case {
            name: "session, consent remembered",
            request: none,
            progress: none,
            facts: |f| {
                signed_in(f);
                f.consent_remembered = true;
            },
            expect: Step::Issue,
        },
        Case {
            name: "session, no consent yet",
            request: none,
            progress: none,
            facts: signed_in,
            expect: Step::Consent,
        },
        Case {
            name: "session, prompt=none, no consent",
            request: |r| r.prompt = vec![Prompt::None],
            progress: none,
            facts: signed_in,
            expect: fail(ErrorCode::ConsentRequired),
        },
        Case {
            name: "session, prompt=none, consent remembered",
            request: |r| r.prompt = vec![Prompt::None],
            progress: none,
            facts: |f| {
                signed_in(f);
                f.consent_remembered = true;
            },
            expect: Step::Issue,
        },
        Case {
            name: "session, skip_authorization",
            request: none,
            progress: none,
            facts: |f| {
                signed_in(f);
                f.skip_consent = true;
            },
            expect: Step::Issue,
        },
        Case {
            name: "session, prompt=consent insists though remembered",
            request: |r| r.prompt = vec![Prompt::Consent],
            progress: none,
            facts: |f| {
                signed_in(f);
                f.consent_remembered = true;
            },
            expect: Step::Consent,
        },
        Case {
            name: "session, prompt=consent, skip_authorization never asks",
            request: |r| r.prompt = vec![Prompt::Consent],
            progress: none,
            facts: |f| {
                signed_in(f);
                f.skip_consent = true;
            },
            expect: Step::Issue,
        },
        Case {
            name: "session, prompt=login",
            request: |r| r.prompt = vec![Prompt::Login],
            progress: none,
            facts: signed_in,
            expect: Step::Login(None),
        },
        Case {
            name: "session, prompt=select_account",
            request: |r| r.prompt = vec![Prompt::SelectAccount],
            progress: none,
            facts: signed_in,
            expect: Step::Login(None),
        },
        Case {
            name: "session within max_age",
            request: |r| r.max_age = Some(3600),
            progress: none,
            facts: |f| {
                signed_in(f);
                f.skip_consent = true;
            },
            expect: Step::Issue,
        },
        Case {
            name: "session older than max_age",
            request: |r| r.max_age = Some(60),
            progress: none,
            facts: signed_in,
            expect: Step::Login(None),
        },
        Case {
            name: "max_age=0 with a session",
            request: |r| r.max_age = Some(0),
            progress: none,
            facts: signed_in,
            expect: Step::Login(None),
        },
        Case {
            name: "session older than max_age, prompt=none",
            request: |r| {
                r.max_age = Some(60);
                r.prompt = vec![Prompt::None];
            },
            progress: none,
            facts: signed_in,
            expect: fail(ErrorCode::LoginRequired),
        },
        Case {
            name: "session of another user than id_token_hint",
            request: |r| r.expected_subject = Some(BOB.to_string()),
            progress: none,
            facts: signed_in,
            expect: Step::Login(None),
        },
        Case {
            name: "session of the id_token_hint's user",
            request: |r| r.expected_subject = Some(ALICE.to_string()),
            progress: none,
            facts: |f| {
                signed_in(f);
                f.skip_consent = true;
            },
            expect: Step::Issue,
        },
        Case {
            name: "session, voluntary acr_values it does not meet",
            request: |r| r.acr = acr(&["2"], false),
            progress: none,
            facts: |f| {
                signed_in(f);
                f.skip_consent = true;
            },
            expect: Step::Issue,
        },
        Case {
            name: "session, an essential acr it meets",
            request: |r| r.acr = acr(&["1", "2"], true),
            progress: none,
            facts: |f| {
                signed_in(f);
                f.skip_consent = true;
            },
            expect: Step::Issue,
        },
        Case {
            name: "session, an essential acr it does not meet: sign in again",
            request: |r| r.acr = acr(&["urn:example:gold"], true),
            progress: none,
            facts: signed_in,
            expect: Step::Login(None),
        },
        // Signed in during this request.
        Case {
            name: "signed in now, still not the essential acr",
            request: |r| r.acr = acr(&["urn:example:gold"], true),
            progress: |p| p.signed_in_sid = Some(format!("sid-{ALICE}")),
            facts: signed_in,
            expect: fail(ErrorCode::UnmetAuthenticationRequirements),
        },
        Case {
            name: "signed in now satisfies prompt=login and max_age=0",
            request: |r| {
                r.prompt = vec![Prompt::Login];
                r.max_age = Some(0);
            },
            progress: |p| p.signed_in_sid = Some(format!("sid-{ALICE}")),
            facts: |f| {
                signed_in(f);
                f.skip_consent = true;
            },
            expect: Step::Issue,
        },
        Case {
            name: "signed in now as someone else than id_token_hint",
            request: |r| r.expected_subject = Some(BOB.to_string()),
            progress: |p| p.signed_in_sid = Some(format!("sid-{ALICE}")),
            facts: signed_in,
            expect: fail(ErrorCode::LoginRequired),
        },
        Case {
            name: "signed in now in another session does not count",
            request: |r| r.prompt = vec![Prompt::Login],
            progress: |p| p.signed_in_sid = Some("sid-elsewhere".into()),
            facts: signed_in,
            expect: Step::Login(None),
        },
        Case {
            name: "consented now",
            request: |r| r.prompt = vec![Prompt::Consent],
            progress: |p| p.consented_by = Some(ALICE),
            facts: signed_in,
            expect: Step::Issue,
        },
        Case {
            name: "consented now by another user does not count",
            request: none,
            progress: |p| p.consented_by = Some(BOB),
            facts: signed_in,
            expect: Step::Consent,
        },
        // Routing the sign-in.
        Case {
            name: "idp_hint of an offered key",
            request: |r| r.idp_hint = Some("gh".into()),
            progress: none,
            facts: none,
            expect: Step::Upstream("gh".into()),
        },
        Case {
            name: "idp_hint of a key the client may not use is ignored",
            request: |r| r.idp_hint = Some("other".into()),
            progress: none,
            facts: none,
            expect: Step::Login(None),
        },
        Case {
            name: "idp_hint with a session that satisfies the request",
            request: |r| r.idp_hint = Some("gh".into()),
            progress: none,
            facts: |f| {
                signed_in(f);
                f.skip_consent = true;
            },
            expect: Step::Issue,
        },
        Case {
            name: "idp_hint with prompt=login",
            request: |r| {
                r.idp_hint = Some("gh".into());
                r.prompt = vec![Prompt::Login];
            },
            progress: none,
            facts: signed_in,
            expect: Step::Upstream("gh".into()),
        },
        Case {
            name: "IdP-only client",
            request: none,
            progress: none,
            facts: |f| f.sign_in.default_key = Some("corp".into()),
            expect: Step::Upstream("corp".into()),
        },
        Case {
            name: "IdP-only client, idp_hint of another offered key wins",
            request: |r| r.idp_hint = Some("gh".into()),
            progress: none,
            facts: |f| f.sign_in.default_key = Some("corp".into()),
            expect: Step::Upstream("gh".into()),
        },
        Case {
            name: "login_hint in a served domain",
            request: |r| r.login_hint = Some("ivy@CORP.example".into()),
            progress: none,
            facts: none,
            expect: Step::Upstream("corp".into()),
        },
        Case {
            name: "login_hint in another domain",
            request: |r| r.login_hint = Some("ivy@elsewhere.example".into()),
            progress: none,
            facts: none,
            expect: Step::Login(None),
        },
        Case {
            name: "login_hint that is a username",
            request: |r| r.login_hint = Some("ivy".into()),
            progress: none,
            facts: none,
            expect: Step::Login(None),
        },
        Case {
            name: "login_hint domain of a key the client may not use",
            request: |r| r.login_hint = Some("ivy@corp.example".into()),
            progress: none,
            facts: |f| f.sign_in.keys.retain(|k| k.slug != "corp"),
            expect: Step::Login(None),
        },
    ];
    for case in cases {
        let mut request = request();
        (case.request)(&mut request);
        let mut progress = Progress::default();
        (case.progress)(&mut progress);
        let mut facts = facts();
        (case.facts)(&mut facts);
        let step = decide(&request, &progress, &facts);
        assert!(same(&step, &case.expect), "{}: expected {:?}, got {step:?}", case.name, case.expect);
    }
}

#[test]
fn a_failed_sign_in_goes_back_where_it_came_from() {
    let failure = OAuthError::new(ErrorCode::TemporarilyUnavailable, "Corp is not answering");
    let chosen = Progress { awaiting: Some(Awaiting::LoginPage), ..Progress::default() };
    assert_eq!(
        after_failure(&chosen, failure.clone()),
        Step::Login(Some(Notice { code: ErrorCode::TemporarilyUnavailable, message: "Corp is not answering".into() }))
    );
    let routed = Progress { awaiting: Some(Awaiting::Upstream("corp".into())), ..Progress::default() };
    assert_eq!(after_failure(&routed, failure.clone()), Step::Fail(failure));
}
