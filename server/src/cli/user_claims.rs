//! The OpenID Connect Core §5.1 claims as `hub user add` and `hub user update` take
//! them: one flag per claim, and one per part of the address. The rules are the
//! domain's (`StandardClaims::validate_changes`), as for the admin API.

use clap::Args;

use crate::domain::user::{Address, StandardClaims};

/// On `update`, a flag left out keeps the claim and an empty value removes it.
#[derive(Debug, Args)]
pub struct ClaimArgs {
    /// Given name(s) or first name(s) (the `given_name` claim).
    #[arg(long)]
    pub given_name: Option<String>,
    /// Surname(s) or last name(s) (the `family_name` claim).
    #[arg(long)]
    pub family_name: Option<String>,
    /// Middle name(s) (the `middle_name` claim).
    #[arg(long)]
    pub middle_name: Option<String>,
    /// A casual name (the `nickname` claim).
    #[arg(long)]
    pub nickname: Option<String>,
    /// The URL of the user's profile page, http or https (the `profile` claim).
    #[arg(long, value_name = "URL")]
    pub profile: Option<String>,
    /// The URL of the user's picture, http or https.
    #[arg(long, value_name = "URL")]
    pub picture: Option<String>,
    /// The URL of the user's web page or blog, http or https.
    #[arg(long, value_name = "URL")]
    pub website: Option<String>,
    /// female, male, or another value.
    #[arg(long)]
    pub gender: Option<String>,
    /// YYYY-MM-DD, YYYY (the year only) or 0000-MM-DD (the year withheld).
    #[arg(long, value_name = "DATE")]
    pub birthdate: Option<String>,
    /// A tz database time zone such as Europe/Paris, or UTC (the `zoneinfo` claim).
    #[arg(long, value_name = "ZONE")]
    pub zoneinfo: Option<String>,
    /// A BCP 47 language tag such as fr-CA.
    #[arg(long, value_name = "TAG")]
    pub locale: Option<String>,
    /// In international form, such as "+1 (425) 555-1212;ext=5678".
    #[arg(long, value_name = "NUMBER")]
    pub phone_number: Option<String>,
    /// The whole postal address as printed on an envelope (address `formatted`).
    #[arg(long, value_name = "TEXT")]
    pub formatted_address: Option<String>,
    /// Street, house number, flat (address `street_address`).
    #[arg(long)]
    pub street_address: Option<String>,
    /// City or locality (address `locality`).
    #[arg(long)]
    pub locality: Option<String>,
    /// State, province or region (address `region`).
    #[arg(long)]
    pub region: Option<String>,
    /// Postal code (address `postal_code`).
    #[arg(long)]
    pub postal_code: Option<String>,
    /// Country name (address `country`).
    #[arg(long)]
    pub country: Option<String>,
}

impl ClaimArgs {
    /// `claims` with each flag given in place of what it had.
    pub fn apply(self, mut claims: StandardClaims) -> StandardClaims {
        let texts = [
            (self.given_name, &mut claims.given_name),
            (self.family_name, &mut claims.family_name),
            (self.middle_name, &mut claims.middle_name),
            (self.nickname, &mut claims.nickname),
            (self.profile, &mut claims.profile),
            (self.picture, &mut claims.picture),
            (self.website, &mut claims.website),
            (self.gender, &mut claims.gender),
            (self.birthdate, &mut claims.birthdate),
            (self.zoneinfo, &mut claims.zoneinfo),
            (self.locale, &mut claims.locale),
            (self.phone_number, &mut claims.phone_number),
        ];
        for (given, claim) in texts {
            replace(claim, given);
        }
        let mut address = claims.address.take().unwrap_or_default();
        let parts = [
            (self.formatted_address, &mut address.formatted),
            (self.street_address, &mut address.street_address),
            (self.locality, &mut address.locality),
            (self.region, &mut address.region),
            (self.postal_code, &mut address.postal_code),
            (self.country, &mut address.country),
        ];
        for (given, part) in parts {
            replace(part, given);
        }
        claims.address = Address::non_empty(address);
        claims
    }
}

/// A value given replaces the old one; an empty one removes it.
pub fn replace(slot: &mut Option<String>, given: Option<String>) {
    if let Some(value) = given {
        *slot = Some(value).filter(|value| !value.is_empty());
    }
}
