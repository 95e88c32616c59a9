//! Prometheus metrics (SPEC §8a): what is counted and measured, under one name each.
//! Recording goes through the `metrics` facade, a no-op until `install` sets the recorder
//! (only when metrics are turned on), so a hub without metrics pays nothing. Labels are
//! bounded sets (route templates, never paths; grant types; Social Login Key slugs),
//! never a user, a token or a client's input.

use std::time::Duration;

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

pub const HTTP_REQUESTS: &str = "hub_http_requests_total";
pub const HTTP_DURATION: &str = "hub_http_request_duration_seconds";
pub const SIGN_INS: &str = "hub_sign_ins_total";
pub const TOKENS: &str = "hub_tokens_issued_total";
pub const UPSTREAM_CALLS: &str = "hub_upstream_calls_total";
pub const UPSTREAM_DURATION: &str = "hub_upstream_call_duration_seconds";
pub const UNAVAILABLE: &str = "hub_unavailable_total";
pub const RATE_LIMITED: &str = "hub_rate_limited_total";
pub const PASSWORD_QUEUE: &str = "hub_password_hash_queue";

/// Latency buckets from a cached discovery answer (well under 1 ms) to an upstream that
/// takes its time (seconds).
const BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Whether a recorder is installed: without one, the request path skips building the
/// labels it would throw away.
static ENABLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sets the process's recorder (once: a process has one); the handle renders the text
/// format.
pub fn install() -> Result<PrometheusHandle, BuildError> {
    static HANDLE: std::sync::OnceLock<PrometheusHandle> = std::sync::OnceLock::new();
    if let Some(handle) = HANDLE.get() {
        return Ok(handle.clone());
    }
    ENABLED.store(true, std::sync::atomic::Ordering::Relaxed);
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)?
        .install_recorder()?;
    describe();
    Ok(HANDLE.get_or_init(|| handle).clone())
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(HTTP_REQUESTS, "Requests answered, by method, route template and status.");
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "Time to answer a request, by method and route template.");
    describe_counter!(SIGN_INS, "Sign-ins, by method (password, upstream) and outcome.");
    describe_counter!(TOKENS, "Token responses from the token endpoint, by grant type.");
    describe_counter!(
        UPSTREAM_CALLS,
        "Sign-ins completed at an upstream (code exchange, ID token, userinfo), by key and outcome."
    );
    describe_histogram!(UPSTREAM_DURATION, Unit::Seconds, "Time an upstream took to complete a sign-in, by key.");
    describe_counter!(UNAVAILABLE, "Requests answered 503 because a store could not be reached, by store.");
    describe_counter!(RATE_LIMITED, "Requests refused by a rate limit, by endpoint.");
    describe_gauge!(PASSWORD_QUEUE, "Password checks waiting for an argon2 thread.");
}

pub fn http_request(method: &str, route: &str, status: u16, elapsed: Duration) {
    if !ENABLED.load(std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let (method, route) = (method.to_owned(), route.to_owned());
    counter!(HTTP_REQUESTS, "method" => method.clone(), "route" => route.clone(), "status" => status.to_string())
        .increment(1);
    histogram!(HTTP_DURATION, "method" => method, "route" => route).record(elapsed.as_secs_f64());
}

/// How a person signed in.
#[derive(Debug, Clone, Copy)]
pub enum SignInMethod {
    Password,
    Upstream,
    /// A code of the second factor after the first, or a passkey there.
    SecondFactor,
    /// A passkey without a password.
    Passkey,
}

#[derive(Debug, Clone, Copy)]
pub enum SignInOutcome {
    Success,
    Failure,
    Throttled,
}

pub fn sign_in(method: SignInMethod, outcome: SignInOutcome) {
    let method = match method {
        SignInMethod::Password => "password",
        SignInMethod::Upstream => "upstream",
        SignInMethod::SecondFactor => "second_factor",
        SignInMethod::Passkey => "passkey",
    };
    let outcome = match outcome {
        SignInOutcome::Success => "success",
        SignInOutcome::Failure => "failure",
        SignInOutcome::Throttled => "throttled",
    };
    counter!(SIGN_INS, "method" => method, "outcome" => outcome).increment(1);
}

pub fn token_issued(grant: &'static str) {
    counter!(TOKENS, "grant" => grant).increment(1);
}

pub fn upstream_call(key: &str, succeeded: bool, elapsed: Duration) {
    let outcome = if succeeded { "success" } else { "failure" };
    counter!(UPSTREAM_CALLS, "key" => key.to_owned(), "outcome" => outcome).increment(1);
    histogram!(UPSTREAM_DURATION, "key" => key.to_owned()).record(elapsed.as_secs_f64());
}

/// A request answered 503 because `store` ("database" or "session_store") was unreachable.
pub fn unavailable(store: &'static str) {
    counter!(UNAVAILABLE, "store" => store).increment(1);
}

pub fn rate_limited(endpoint: &'static str) {
    counter!(RATE_LIMITED, "endpoint" => endpoint).increment(1);
}

/// A password check joined (+1) or left (-1) the argon2 queue.
pub fn password_queue(change: f64) {
    gauge!(PASSWORD_QUEUE).increment(change);
}
