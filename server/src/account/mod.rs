//! The self-service pages (SPEC §7a), a shell over `manage::account`: the account page
//! (`overview`) with its forms (`forms`), reached through the one sign-in flow
//! (`sign_in`), and the pages of recovery by e-mail (`recovery`): ask for a reset link,
//! follow an e-mailed link, sign up. Server-rendered, no JavaScript, CSRF on every form.

pub mod forms;
pub mod overview;
pub mod recovery;
pub mod sign_in;

/// A rule's message (`a password has at least 8 characters`) as the sentence the page
/// shows, which a catalogue's `[messages]` may translate.
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    let mut sentence: String =
        chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default();
    if !sentence.ends_with(['.', '?', '!']) {
        sentence.push('.');
    }
    sentence
}
