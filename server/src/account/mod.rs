//! The self-service pages (SPEC §7a), a shell over `manage::account`: the account page
//! (`overview`) with its forms (`forms`), reached through the one sign-in flow
//! (`sign_in`), and the pages of recovery by e-mail (`recovery`): ask for a reset link,
//! follow an e-mailed link, sign up. Server-rendered, no JavaScript, CSRF on every form.

pub mod forms;
pub mod overview;
pub mod recovery;
pub mod sign_in;
