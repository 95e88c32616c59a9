//! Who may use the admin API (SPEC §6): the bootstrap `HUB_ADMIN_TOKEN`, compared in
//! constant time, or an access token this hub issued to its admin UI for a member of the
//! `admins` group, whose session is still live.

use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;
use secrecy::ExposeSecret;
use uuid::Uuid;

use super::problem::ApiError;
use crate::domain::audit::{Actor, AuditRecord};
use crate::manage::By;
use crate::manage::built_in::ADMIN_UI_CLIENT_ID;
use crate::oidc::access_token::{self, Rejected};
use crate::secrets::{constant_time_eq, token_digest};
use crate::state::AppState;

/// An authenticated administrator.
#[derive(Debug, Clone)]
pub enum Admin {
    BootstrapToken,
    User { id: Uuid, username: String },
}

impl Admin {
    pub fn actor(&self) -> Actor {
        match self {
            Admin::BootstrapToken => Actor::AdminToken,
            Admin::User { id, username } => Actor::User { id: *id, username: username.clone() },
        }
    }
}

/// An administrator and where their request came from, for the audit log.
#[derive(Debug, Clone)]
pub struct Caller {
    pub admin: Admin,
    pub address: String,
}

/// `Authorization: Bearer <HUB_ADMIN_TOKEN or an administrator's access token>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "HUB_ADMIN_TOKEN or JWT", checker = "authenticate")]
pub struct AdminAuth(pub Caller);

impl AdminAuth {
    /// The administrator as the audit log records them.
    pub fn by(&self) -> By {
        By { actor: self.0.admin.actor(), address: Some(self.0.address.clone()), via: None }
    }
}

async fn authenticate(req: &Request, bearer: Bearer) -> poem::Result<Caller> {
    let state = req.data::<AppState>().ok_or_else(|| ApiError::unauthorized("the hub is not ready"))?;
    let address = crate::http::extract::client_address(req, state.settings.trust_forwarded_for);
    let admin = check(state, &bearer.token, &address).await?;
    Ok(Caller { admin, address })
}

async fn check(state: &AppState, token: &str, address: &str) -> Result<Admin, ApiError> {
    if let Some(expected) = &state.settings.admin_token {
        // Digests first, so the comparison takes the same time whatever the lengths.
        let presented = token_digest(token);
        if constant_time_eq(presented.as_bytes(), token_digest(expected.expose_secret()).as_bytes()) {
            return Ok(Admin::BootstrapToken);
        }
    }
    let invalid = || ApiError::unauthorized("the token is not the admin token nor a valid admin UI access token");
    let claims = access_token::verify(state, token).await.map_err(|rejected| match rejected {
        Rejected::Inactive => invalid(),
        Rejected::Unavailable(e) => ApiError::unavailable(&e),
    })?;
    if claims.client_id != ADMIN_UI_CLIENT_ID {
        return Err(invalid());
    }
    // Ending the session (sign-out, or an administrator's revoke) ends admin access at once.
    let live = match &claims.sid {
        Some(sid) => crate::sso::is_live(state, sid).await?,
        None => false,
    };
    if !live {
        return Err(ApiError::unauthorized("the session this token belongs to has ended; sign in again"));
    }
    let user_id = Uuid::parse_str(&claims.sub).map_err(|_| invalid())?;
    let user = state.store.find_user(user_id).await?.filter(|u| !u.disabled).ok_or_else(invalid)?;
    if !user.is_admin() {
        let actor = Actor::User { id: user.id, username: user.username.clone() };
        let record =
            AuditRecord::new("admin.denied", actor).failed().user(user.id).client(ADMIN_UI_CLIENT_ID).address(address);
        state.audit(record.detail("not a member of admins")).await;
        return Err(ApiError::forbidden(format!(
            "{} is not an administrator (a member of the `admins` group)",
            user.username
        )));
    }
    Ok(Admin::User { id: user.id, username: user.username })
}
