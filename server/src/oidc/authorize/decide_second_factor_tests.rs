//! The rows of `decide` that issue 13 added: the client's groups, and the second factor
//! (rules, `acr`, enrolment, upstream sign-ins, `prompt=none`).

use super::tests::{ALICE, NOW, acr, facts, fail, request, same, session_of};
use super::*;

/// Alice signed in with a password in this request; `change` sets the rest.
fn decided(change: impl FnOnce(&mut AuthorizationRequest, &mut SessionFacts, &mut Facts)) -> Step {
    let mut request = request();
    let mut session = session_of(ALICE, 0);
    let mut facts = Facts { skip_consent: true, ..facts() };
    change(&mut request, &mut session, &mut facts);
    let progress = Progress { signed_in_sid: Some(session.sid.clone()), ..Progress::default() };
    facts.session = Some(session);
    decide(&request, &progress, &facts)
}

#[test]
fn a_client_limited_to_groups_refuses_everyone_else_after_sign_in() {
    let outsider = decided(|_, s, f| {
        f.allowed_groups = vec!["staff".into()];
        s.groups = vec!["guests".into()];
    });
    assert!(same(&outsider, &fail(ErrorCode::AccessDenied)), "{outsider:?}");
    let member = decided(|_, s, f| {
        f.allowed_groups = vec!["staff".into(), "ops".into()];
        s.groups = vec!["ops".into()];
    });
    assert_eq!(member, Step::Issue);
    assert_eq!(decided(|_, _, _| {}), Step::Issue, "no groups named: everyone");
    let refused_first = decided(|_, s, f| {
        f.allowed_groups = vec!["staff".into()];
        s.second_factor_rule = Some(SecondFactorRule::Client);
        s.enrolled = true;
    });
    assert!(same(&refused_first, &fail(ErrorCode::AccessDenied)), "refused before any second factor");
}

#[test]
fn a_rule_asks_for_the_second_factor_once_per_session() {
    for rule in [SecondFactorRule::Client, SecondFactorRule::Group, SecondFactorRule::Administrator] {
        let enrolled = decided(|_, s, _| {
            s.second_factor_rule = Some(rule);
            s.enrolled = true;
        });
        assert_eq!(enrolled, Step::SecondFactor, "{rule:?}");
        let not_enrolled = decided(|_, s, _| s.second_factor_rule = Some(rule));
        assert_eq!(not_enrolled, Step::EnrolSecondFactor, "{rule:?}");
    }
    let done = decided(|_, s, _| {
        s.second_factor_rule = Some(SecondFactorRule::Client);
        s.enrolled = true;
        s.second_factor = true;
    });
    assert_eq!(done, Step::Issue, "the session has had it");
    let no_rule = decided(|_, s, _| s.enrolled = true);
    assert_eq!(no_rule, Step::Issue, "enrolled, but nothing asks for it");
}

#[test]
fn an_upstream_sign_in_without_a_trusted_second_factor_never_passes_a_rule() {
    let enrolled = decided(|_, s, _| {
        s.upstream = true;
        s.enrolled = true;
        s.second_factor_rule = Some(SecondFactorRule::Client);
    });
    assert_eq!(enrolled, Step::SecondFactor, "the hub's own factor after the upstream");
    let not_enrolled = decided(|_, s, _| {
        s.upstream = true;
        s.second_factor_rule = Some(SecondFactorRule::Client);
    });
    assert!(same(&not_enrolled, &fail(ErrorCode::AccessDenied)), "{not_enrolled:?}");
    let by_acr = decided(|r, s, _| {
        r.acr = acr(&["2"], true);
        s.upstream = true;
    });
    assert!(same(&by_acr, &fail(ErrorCode::UnmetAuthenticationRequirements)), "{by_acr:?}");
    let trusted = decided(|_, s, _| {
        s.upstream = true;
        s.second_factor = true;
        s.acr = "urn:upstream:gold".into();
        s.second_factor_rule = Some(SecondFactorRule::Client);
    });
    assert_eq!(trusted, Step::Issue, "a key trusted to assert it");
}

#[test]
fn the_app_asks_for_a_second_factor_through_acr() {
    let essential = decided(|r, s, _| {
        r.acr = acr(&["2"], true);
        s.enrolled = true;
    });
    assert_eq!(essential, Step::SecondFactor);
    let essential_not_enrolled = decided(|r, _, _| r.acr = acr(&["2"], true));
    assert_eq!(essential_not_enrolled, Step::EnrolSecondFactor);
    let essential_either = decided(|r, _, _| r.acr = acr(&["1", "2"], true));
    assert_eq!(essential_either, Step::Issue, "level 1 is one of the values asked for");
    let preferred = decided(|r, s, _| {
        r.acr = acr(&["2", "1"], false);
        s.enrolled = true;
    });
    assert_eq!(preferred, Step::SecondFactor, "voluntary, first choice, enrolled");
    let preferred_not_enrolled = decided(|r, _, _| r.acr = acr(&["2", "1"], false));
    assert_eq!(preferred_not_enrolled, Step::Issue, "voluntary never forces an enrolment");
    let second_choice = decided(|r, s, _| {
        r.acr = acr(&["1", "2"], false);
        s.enrolled = true;
    });
    assert_eq!(second_choice, Step::Issue);
}

#[test]
fn an_earlier_session_is_stepped_up_not_signed_in_again() {
    let mut request = request();
    request.acr = acr(&["2"], true);
    let mut session = session_of(ALICE, 600);
    session.enrolled = true;
    let before = Facts { session: Some(session.clone()), skip_consent: true, ..facts() };
    assert_eq!(decide(&request, &Progress::default(), &before), Step::SecondFactor);

    session.second_factor = true;
    session.acr = "2".into();
    let stepped_up = Facts { session: Some(session), now: NOW, skip_consent: true, ..facts() };
    assert_eq!(decide(&request, &Progress::default(), &stepped_up), Step::Issue, "level 2 already");
}

#[test]
fn prompt_none_cannot_show_a_second_factor_page() {
    let mut request = request();
    request.prompt = vec![Prompt::None];
    let mut session = session_of(ALICE, 600);
    session.enrolled = true;
    session.second_factor_rule = Some(SecondFactorRule::Administrator);
    let facts = Facts { session: Some(session), skip_consent: true, ..facts() };
    let step = decide(&request, &Progress::default(), &facts);
    assert!(same(&step, &fail(ErrorCode::InteractionRequired)), "{step:?}");
}
