//! The pages a person sees during an authorization request: sign-in (`login`) and
//! consent, the second factor after the password (`second_factor`), passkeys (`passkeys`:
//! sign-in, second factor, and a user's own list), and the device grant's
//! user-code page (`device`), which starts one. Each works on the pending request `oidc::authorize::interaction` hands it and
//! ends by handing it back with an outcome (`oidc::authorize::resume`).

pub mod consent;
pub mod device;
pub mod login;
pub mod passkeys;
pub mod second_factor;
