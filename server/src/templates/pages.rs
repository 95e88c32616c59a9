//! What each page shows: one typed context per template (SPEC §7), and nothing else (no
//! token, no secret, no domain object). Templates fail on an undefined variable, and the
//! tests render each template from its context, so a renamed field fails a test.

use serde::Serialize;

/// A page's context, and the template it fills.
pub trait Page: Serialize {
    const TEMPLATE: &'static str;
}

/// `login.html`: the password form (where the client allows it) and a "Continue with …"
/// link per Social Login Key.
#[derive(Debug, Serialize)]
pub struct LoginPage {
    pub action: String,
    pub csrf_token: String,
    pub interaction: String,
    /// Prefilled: what the person typed, or the app's `login_hint`.
    pub username: String,
    pub error: Option<String>,
    pub client_name: String,
    pub password_login: bool,
    pub social_login_keys: Vec<LoginLink>,
    /// "Forgot your password?", where the hub can send e-mail.
    pub reset_href: Option<String>,
    /// "Create an account", where the deployment allows self-registration.
    pub sign_up_href: Option<String>,
    /// "Sign in with a passkey", where passkeys work at the hub's address.
    pub passkey: Option<PasskeyForm>,
}

/// `passkey_form.html`: a passkey button's form, shown by the hub's script.
#[derive(Debug, Serialize)]
pub struct PasskeyForm {
    /// Where the script fetches the ceremony's options.
    pub options: String,
    /// Where the browser's answer is posted.
    pub action: String,
    /// What the passkey does here, which the button says.
    pub purpose: PasskeyPurpose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PasskeyPurpose {
    /// The login page: a passkey instead of the password.
    SignIn,
    /// The second step after the password.
    SecondFactor,
}

#[derive(Debug, Serialize)]
pub struct LoginLink {
    pub display_name: String,
    pub href: String,
    pub icon: Option<String>,
}

/// `second_factor.html`: a code of the user's authenticator (or a recovery code) after
/// the password, "Code" and "Verify"; or one of the user's passkeys.
#[derive(Debug, Serialize)]
pub struct SecondFactorPage {
    pub action: String,
    pub csrf_token: String,
    pub interaction: String,
    pub client_name: String,
    pub username: String,
    pub error: Option<String>,
    /// The user has a TOTP authenticator: the code form.
    pub totp: bool,
    /// The user has a passkey: "Use a passkey".
    pub passkey: Option<PasskeyForm>,
}

/// `account_passkeys.html`: a signed-in user's passkeys, each with rename and remove
/// forms, and "Add a passkey" (which needs the hub's script).
#[derive(Debug, Serialize)]
pub struct AccountPasskeysPage {
    pub username: String,
    /// Where every form posts.
    pub action: String,
    /// Where the script fetches a registration's options.
    pub options: String,
    pub csrf_token: String,
    pub passkeys: Vec<PasskeyRow>,
    pub name_max: usize,
    /// This session may add and remove passkeys (see `accounts::passkeys::may_change_factors`).
    pub may_change: bool,
    /// Passkeys work at the hub's address.
    pub supported: bool,
    pub notice: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PasskeyRow {
    pub id: String,
    pub name: String,
    pub created: String,
    pub last_used: Option<String>,
    pub synced: bool,
}

/// `second_factor_enrol.html`: a new authenticator's QR code and key, the recovery codes
/// (only when first shown), and "Code" and "Verify" to confirm it.
#[derive(Debug, Serialize)]
pub struct EnrolmentPage {
    pub action: String,
    pub csrf_token: String,
    /// The pending authorization request, when the flow asks for the enrolment.
    pub interaction: Option<String>,
    /// The app that requires it, when one does.
    pub client_name: Option<String>,
    pub username: String,
    pub qr_png_base64: String,
    /// The key in base32, for typing in.
    pub secret: String,
    pub recovery_codes: Vec<String>,
    pub error: Option<String>,
    /// In the flow, where passkeys work: a passkey instead of the app.
    pub passkey: Option<PasskeyEnrolment>,
}

/// A form that creates a passkey (it needs the hub's script), named by the person.
#[derive(Debug, Clone, Serialize)]
pub struct PasskeyEnrolment {
    /// Where the script fetches the registration's options.
    pub options: String,
    /// Where the browser's answer is posted.
    pub action: String,
    pub name_max: usize,
}

/// `account_second_factor.html`: the user's own second factor, once enrolled.
#[derive(Debug, Serialize)]
pub struct AccountSecondFactorPage {
    pub username: String,
    /// Back to the account page.
    pub account_href: String,
    pub just_enrolled: bool,
    pub enrolled_at: Option<String>,
    pub recovery_codes_left: usize,
}

/// `consent.html`: the scopes asked for, with "Allow" and "Deny".
#[derive(Debug, Serialize)]
pub struct ConsentPage {
    pub action: String,
    pub csrf_token: String,
    pub interaction: String,
    pub client_name: String,
    /// The host the answer goes to: what a person can check against the name.
    pub returns_to: String,
    /// The app registered itself: its name is its own word, no administrator's.
    pub unverified: bool,
    pub username: String,
    /// Each scope in words.
    pub scopes: Vec<String>,
}

/// `device.html`: the user-code form of the device grant (RFC 8628 §3.3), "Code" and
/// "Continue".
#[derive(Debug, Serialize)]
pub struct DevicePage {
    pub action: String,
    pub csrf_token: String,
    /// Prefilled: what the person typed, or the `user_code` of the link they followed.
    pub user_code: String,
    pub error: Option<String>,
}

/// `device_confirm.html`: which app a code is for, and the code again, to compare with
/// the device before signing in (RFC 8628 §5.4).
#[derive(Debug, Serialize)]
pub struct DeviceConfirmPage {
    pub action: String,
    pub csrf_token: String,
    /// As the device shows it, `XXXX-XXXX`.
    pub user_code: String,
    pub client_name: String,
    /// The app registered itself (RFC 7591): its name is its own word.
    pub unverified: bool,
}

/// `device_done.html`: the device's sign-in is answered; the person returns to it.
#[derive(Debug, Serialize)]
pub struct DeviceDonePage {
    pub client_name: String,
    pub approved: bool,
    /// Why the device got no access, in words.
    pub refused: Option<String>,
}

/// `logout.html`: "Sign out" confirmation, carrying the app's parameters.
#[derive(Debug, Serialize)]
pub struct LogoutPage {
    pub action: String,
    pub csrf_token: String,
    pub client_name: Option<String>,
    pub username: Option<String>,
    pub fields: Vec<FormField>,
}

/// `logged_out.html`: signed out, with nowhere to return to.
#[derive(Debug, Serialize)]
pub struct LoggedOutPage {}

/// `error.html`: shown to the person, never redirected anywhere.
#[derive(Debug, Serialize)]
pub struct ErrorPage {
    pub title: String,
    pub message: String,
    /// The reference under which the log has the details.
    pub request_id: String,
}

/// `form_post.html` (OAuth 2.0 Form Post Response Mode).
#[derive(Debug, Serialize)]
pub struct FormPostPage {
    pub action: String,
    pub fields: Vec<FormField>,
    /// Allows the page's one script.
    pub script_nonce: String,
}

/// A hidden form field.
#[derive(Debug, Serialize)]
pub struct FormField {
    pub name: String,
    pub value: String,
}

impl Page for LoginPage {
    const TEMPLATE: &'static str = "login.html";
}

impl Page for SecondFactorPage {
    const TEMPLATE: &'static str = "second_factor.html";
}

impl Page for AccountPasskeysPage {
    const TEMPLATE: &'static str = "account_passkeys.html";
}

impl Page for EnrolmentPage {
    const TEMPLATE: &'static str = "second_factor_enrol.html";
}

impl Page for AccountSecondFactorPage {
    const TEMPLATE: &'static str = "account_second_factor.html";
}

impl Page for ConsentPage {
    const TEMPLATE: &'static str = "consent.html";
}

impl Page for DevicePage {
    const TEMPLATE: &'static str = "device.html";
}

impl Page for DeviceConfirmPage {
    const TEMPLATE: &'static str = "device_confirm.html";
}

impl Page for DeviceDonePage {
    const TEMPLATE: &'static str = "device_done.html";
}

impl Page for LogoutPage {
    const TEMPLATE: &'static str = "logout.html";
}

impl Page for LoggedOutPage {
    const TEMPLATE: &'static str = "logged_out.html";
}

impl Page for ErrorPage {
    const TEMPLATE: &'static str = "error.html";
}

impl Page for FormPostPage {
    const TEMPLATE: &'static str = "form_post.html";
}
