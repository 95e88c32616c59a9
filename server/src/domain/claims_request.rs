//! The `claims` request parameter (OIDC Core §5.5): which claims an app asks for, and
//! where (the ID token or userinfo), each voluntary or essential, possibly with the
//! value(s) it wants. The hub reads it this way:
//!
//! - A requested user claim counts as asking for the scope that releases it (§5.4), so
//!   the consent page shows it and the client's registered scopes bound it; userinfo then
//!   releases it with the rest of that scope.
//! - A user claim requested for the ID token goes into the ID token.
//! - `acr` with `essential` and `value`/`values` must be met (see `AcrRequest`); other
//!   claims' values are what the user's are, never what the app asked for.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::claims;

/// The parameter is JSON in a URL: a few claims, never a document.
const MAX_BYTES: usize = 4096;
const MAX_CLAIMS: usize = 64;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClaimsRequest {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub id_token: BTreeMap<String, ClaimRequest>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub userinfo: BTreeMap<String, ClaimRequest>,
}

/// One claim's request: `null` (voluntary) or `{essential, value, values}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClaimRequest {
    #[serde(default)]
    pub essential: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
}

/// What an app asked of the authentication context (`acr_values`, or an `acr` claim
/// request): one of `values`, and whether anything else is a failure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcrRequest {
    pub values: Vec<String>,
    pub essential: bool,
}

impl AcrRequest {
    /// Whether a sign-in of context `acr` meets the request.
    pub fn is_met_by(&self, acr: &str) -> bool {
        !self.essential || self.values.iter().any(|wanted| wanted == acr)
    }
}

impl ClaimsRequest {
    /// Parses the parameter's JSON; members other than `id_token` and `userinfo` are
    /// ignored (§5.5), anything malformed is the app's error to hear.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.len() > MAX_BYTES {
            return Err(format!("claims must be at most {MAX_BYTES} bytes"));
        }
        let value: Value = serde_json::from_str(text).map_err(|_| "claims must be a JSON object".to_owned())?;
        let Value::Object(members) = value else { return Err("claims must be a JSON object".into()) };
        let mut request = ClaimsRequest::default();
        for (member, target) in [("id_token", &mut request.id_token), ("userinfo", &mut request.userinfo)] {
            match members.get(member) {
                None | Some(Value::Null) => {}
                Some(Value::Object(requested)) => {
                    if requested.len() > MAX_CLAIMS {
                        return Err(format!("claims.{member} may name at most {MAX_CLAIMS} claims"));
                    }
                    for (name, claim) in requested {
                        target.insert(name.clone(), one_claim(member, name, claim)?);
                    }
                }
                Some(_) => return Err(format!("claims.{member} must be an object")),
            }
        }
        Ok(request)
    }

    /// The scopes whose claims are asked for, by name (`email` for `email_verified`).
    pub fn scopes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.id_token.keys().chain(self.userinfo.keys()).filter_map(|name| claims::scope_of(name))
    }

    /// The user claims to put into the ID token, whatever the response type.
    pub fn id_token_claims(&self) -> Vec<String> {
        self.id_token.keys().filter(|name| claims::scope_of(name).is_some()).cloned().collect()
    }

    /// The user a `sub` claim request with a value names (§5.5.1: only that user's
    /// session, or a sign-in as that user, may answer).
    pub fn subject(&self) -> Option<&str> {
        let claim = self.id_token.get("sub").or_else(|| self.userinfo.get("sub"))?;
        claim.value.as_deref()
    }

    /// The `acr` request it makes, if any: the ID token's, else userinfo's.
    pub fn acr(&self) -> Option<AcrRequest> {
        let claim = self.id_token.get("acr").or_else(|| self.userinfo.get("acr"))?;
        let values: Vec<String> = match (&claim.value, &claim.values) {
            (Some(value), _) => vec![value.clone()],
            (None, Some(values)) => values.clone(),
            (None, None) => Vec::new(),
        };
        // Essential with nothing to choose from asks only that acr be present.
        Some(AcrRequest { essential: claim.essential && !values.is_empty(), values })
    }
}

fn one_claim(member: &str, name: &str, claim: &Value) -> Result<ClaimRequest, String> {
    let malformed = || format!("claims.{member}.{name} must be null or an object of essential, value, values");
    let object = match claim {
        Value::Null => return Ok(ClaimRequest::default()),
        Value::Object(object) => object,
        _ => return Err(malformed()),
    };
    let text = |value: &Value| match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    };
    let essential = match object.get("essential") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(essential)) => *essential,
        Some(_) => return Err(malformed()),
    };
    let value = object.get("value").map(|value| text(value).ok_or_else(malformed)).transpose()?;
    let values = match object.get("values") {
        None => None,
        Some(Value::Array(values)) => {
            Some(values.iter().map(|v| text(v).ok_or_else(malformed)).collect::<Result<_, _>>()?)
        }
        Some(_) => return Err(malformed()),
    };
    Ok(ClaimRequest { essential, value, values })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_read_and_unknown_ones_ignored() {
        let request = ClaimsRequest::parse(
            r#"{"id_token":{"email":{"essential":true},"acr":{"values":["1","2"]}},
                "userinfo":{"name":null,"picture":{"essential":false}},"other":{"x":1}}"#,
        )
        .unwrap();
        assert!(request.id_token["email"].essential);
        assert_eq!(request.id_token_claims(), ["email"], "acr is the hub's, not a user claim");
        let mut scopes: Vec<_> = request.scopes().collect();
        scopes.sort();
        assert_eq!(scopes, ["email", "profile", "profile"]);
        assert_eq!(request.acr(), Some(AcrRequest { values: vec!["1".into(), "2".into()], essential: false }));
    }

    #[test]
    fn an_essential_acr_with_values_must_be_met() {
        let request = ClaimsRequest::parse(r#"{"id_token":{"acr":{"essential":true,"value":"2"}}}"#).unwrap();
        let acr = request.acr().unwrap();
        assert!(acr.essential);
        assert!(!acr.is_met_by("1"));
        assert!(acr.is_met_by("2"));
        let voluntary = ClaimsRequest::parse(r#"{"id_token":{"acr":{"essential":true}}}"#).unwrap();
        assert!(voluntary.acr().unwrap().is_met_by("1"), "essential without values asks for presence only");
    }

    #[test]
    fn malformed_requests_are_refused() {
        for bad in [
            "not json",
            "[]",
            r#"{"id_token":[]}"#,
            r#"{"userinfo":{"email":true}}"#,
            r#"{"userinfo":{"email":{"essential":"yes"}}}"#,
            r#"{"userinfo":{"email":{"values":"one"}}}"#,
        ] {
            assert!(ClaimsRequest::parse(bad).is_err(), "{bad}");
        }
        assert!(ClaimsRequest::parse(&format!(r#"{{"userinfo":{{"x":"{}"}}}}"#, "a".repeat(5000))).is_err());
    }
}
