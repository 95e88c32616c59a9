//! The OpenID Connect Core §5.1 claims a user carries besides the username, e-mail
//! address and name, and the form each value takes (§5.1, §5.1.1 for the address).
//! Every shell (the admin API, the CLI) checks them here.

use serde::{Deserialize, Serialize};

use super::validation::{self, FieldErrors};

/// §5.1.1: the parts of a postal address, each optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl Address {
    /// The address, unless it has no part at all: an empty address is no address.
    pub fn non_empty(self) -> Option<Self> {
        (self != Address::default()).then_some(self)
    }

    fn validate(&self, errors: &mut FieldErrors) {
        // `formatted` and `street_address` may hold several lines (§5.1.1).
        let parts = [
            ("formatted", &self.formatted, 500, true),
            ("street_address", &self.street_address, 300, true),
            ("locality", &self.locality, 200, false),
            ("region", &self.region, 200, false),
            ("postal_code", &self.postal_code, 32, false),
            ("country", &self.country, 200, false),
        ];
        for (name, value, max, multiline) in parts {
            if let Some(value) = value {
                let result = if multiline { validation::lines(value, max) } else { validation::text(value, max) };
                errors.check(format!("address.{name}"), result);
            }
        }
    }
}

/// What a user is beyond their account: the profile, phone and address claims. Absent
/// values are not released at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StandardClaims {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub middle_name: Option<String>,
    pub nickname: Option<String>,
    /// The URL of the user's profile page.
    pub profile: Option<String>,
    /// The URL of the user's picture.
    pub picture: Option<String>,
    /// The URL of the user's web page or blog.
    pub website: Option<String>,
    /// `female`, `male`, or another value (§5.1).
    pub gender: Option<String>,
    /// `YYYY-MM-DD`, `YYYY` (the year only) or `0000-MM-DD` (the year withheld).
    pub birthdate: Option<String>,
    /// A time zone of the tz database, such as `Europe/Paris`.
    pub zoneinfo: Option<String>,
    /// A BCP 47 language tag, such as `fr-CA`.
    pub locale: Option<String>,
    /// In international form, such as `+1 (425) 555-1212;ext=5678`.
    pub phone_number: Option<String>,
    pub phone_number_verified: bool,
    pub address: Option<Address>,
}

/// How a text claim is checked.
type Rule = fn(&str) -> Result<(), String>;

fn person_name(value: &str) -> Result<(), String> {
    validation::text(value, 200)
}

fn gender(value: &str) -> Result<(), String> {
    validation::text(value, 64)
}

impl StandardClaims {
    /// The text claims: each one's name, value and rule.
    fn texts(&self) -> [(&'static str, &Option<String>, Rule); 12] {
        [
            ("given_name", &self.given_name, person_name),
            ("family_name", &self.family_name, person_name),
            ("middle_name", &self.middle_name, person_name),
            ("nickname", &self.nickname, person_name),
            ("profile", &self.profile, validation::web_url),
            ("picture", &self.picture, validation::web_url),
            ("website", &self.website, validation::web_url),
            ("gender", &self.gender, gender),
            ("birthdate", &self.birthdate, birthdate),
            ("zoneinfo", &self.zoneinfo, zoneinfo),
            ("locale", &self.locale, locale),
            ("phone_number", &self.phone_number, phone_number),
        ]
    }

    /// Checks each value that differs from `before` (all of them without one): what an
    /// upstream provided stays valid while an administrator changes the rest.
    pub fn validate_changes(&self, before: Option<&StandardClaims>, errors: &mut FieldErrors) {
        let previous = before.map(StandardClaims::texts);
        for (i, (field, value, rule)) in self.texts().into_iter().enumerate() {
            let unchanged = previous.as_ref().is_some_and(|previous| previous[i].1 == value);
            if let Some(value) = value
                && !unchanged
            {
                errors.check(field, rule(value));
            }
        }
        if let Some(address) = &self.address
            && before.is_none_or(|before| before.address.as_ref() != Some(address))
        {
            address.validate(errors);
        }
    }

    /// The names of the claims that differ, for the audit log (which keeps the values,
    /// personal data, out).
    pub fn differences(&self, other: &StandardClaims) -> Vec<&'static str> {
        let texts = self.texts().into_iter().zip(other.texts());
        let mut names: Vec<&'static str> =
            texts.filter(|(mine, theirs)| mine.1 != theirs.1).map(|(mine, _)| mine.0).collect();
        if self.phone_number_verified != other.phone_number_verified {
            names.push("phone_number_verified");
        }
        if self.address != other.address {
            names.push("address");
        }
        names
    }
}

/// §5.1 `birthdate`: `YYYY-MM-DD`, the year alone, or `0000-MM-DD` for a birthday whose
/// year the user withholds.
pub fn birthdate(value: &str) -> Result<(), String> {
    const FORM: &str = "must be YYYY-MM-DD, YYYY, or 0000-MM-DD";
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = value.split('-').collect();
    match parts.as_slice() {
        [year] if year.len() == 4 && digits(year) && *year != "0000" => Ok(()),
        [year, month, day] if year.len() == 4 && month.len() == 2 && day.len() == 2 => {
            if !(digits(year) && digits(month) && digits(day)) {
                return Err(FORM.into());
            }
            // A withheld year may still be a 29 February: check the day in a leap year.
            let year: i32 = if *year == "0000" { 2000 } else { year.parse().map_err(|_| FORM.to_owned())? };
            let (month, day): (u32, u32) = (month.parse().unwrap_or(0), day.parse().unwrap_or(0));
            chrono::NaiveDate::from_ymd_opt(year, month, day)
                .map(|_| ())
                .ok_or_else(|| "is not a date of the calendar".to_owned())
        }
        _ => Err(FORM.into()),
    }
}

/// The areas of the tz database's `Area/Location` names.
const TZ_AREAS: &[&str] = &[
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
    "Etc",
];

/// §5.1 `zoneinfo`: `UTC`, or a name shaped as the tz database's (`Europe/Paris`,
/// `America/Argentina/Buenos_Aires`, `Etc/GMT+5`). Whether the zone exists is the app's
/// business: the hub carries no tz database.
pub fn zoneinfo(value: &str) -> Result<(), String> {
    if value == "UTC" {
        return Ok(());
    }
    let location = |part: &str| {
        (1..=30).contains(&part.len())
            && part.starts_with(|c: char| c.is_ascii_uppercase())
            && part.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
    };
    let parts: Vec<&str> = value.split('/').collect();
    let plausible =
        (2..=3).contains(&parts.len()) && TZ_AREAS.contains(&parts[0]) && parts[1..].iter().all(|part| location(part));
    if plausible { Ok(()) } else { Err("must be a tz database name such as Europe/Paris, or UTC".into()) }
}

/// §5.1 `locale`: a BCP 47 language tag, such as `en`, `fr-CA` or `zh-Hant-TW`: a
/// language of two or three letters, then subtags of one to eight letters or digits,
/// joined by hyphens (not the underscores some implementations use).
pub fn locale(value: &str) -> Result<(), String> {
    let mut subtags = value.split('-');
    let language = subtags.next().unwrap_or_default();
    let plausible = value.len() <= 35
        && (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && subtags.all(|tag| (1..=8).contains(&tag.len()) && tag.bytes().all(|b| b.is_ascii_alphanumeric()));
    if plausible { Ok(()) } else { Err("must be a BCP 47 language tag such as en or fr-CA".into()) }
}

/// §5.1 `phone_number`, in the international form E.164 that §5.1 recommends: `+`, the
/// country code and number (7 to 15 digits, E.164's longest), written with spaces,
/// hyphens, dots or parentheses as people do, and an RFC 3966 extension (`;ext=5678`).
pub fn phone_number(value: &str) -> Result<(), String> {
    const FORM: &str = "must be an international number such as +1 (425) 555-1212, with ;ext= for an extension";
    let (number, extension) = match value.split_once(";ext=") {
        Some((number, extension)) => (number, Some(extension)),
        None => (value, None),
    };
    let Some(rest) = number.strip_prefix('+') else {
        return Err(FORM.into());
    };
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    let plausible = rest.starts_with(|c: char| matches!(c, '1'..='9'))
        && rest.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
        && (7..=15).contains(&digits)
        && extension.is_none_or(|ext| (1..=10).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_digit()));
    if plausible { Ok(()) } else { Err(FORM.into()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birthdates_are_a_date_a_year_or_a_birthday() {
        for good in ["1990-02-28", "2000-02-29", "1990", "0000-02-29", "0000-12-31"] {
            assert!(birthdate(good).is_ok(), "{good}");
        }
        let bad = ["1990-13-45", "1990-02-30", "1991-02-29", "0000", "90", "1990-1-1", "1990/01/01", "+1990", ""];
        for bad in bad.into_iter().chain(["1990-01-01T00:00:00Z", "１９９０", "1990-00-10", "0000-00-00"]) {
            assert!(birthdate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn zones_are_tz_names_or_utc() {
        for good in ["Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "America/Port-au-Prince", "UTC"] {
            assert!(zoneinfo(good).is_ok(), "{good}");
        }
        for bad in
            ["Paris", "europe/paris", "Mars/Olympus", "Europe/", "Europe/Paris/X/Y", "+02:00", "utc", "Europe/Par is"]
        {
            assert!(zoneinfo(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn locales_are_language_tags() {
        for good in ["en", "fr-CA", "zh-Hant-TW", "de-CH-1996", "es-419"] {
            assert!(locale(good).is_ok(), "{good}");
        }
        for bad in ["", "e", "english", "en_US", "en-", "en--US", "fr-CA-toolongsubtag", "1a"] {
            assert!(locale(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phone_numbers_are_international() {
        for good in ["+1 (425) 555-1212", "+56 (2) 687 2400", "+33612345678", "+1 (604) 555-1234;ext=5678"] {
            assert!(phone_number(good).is_ok(), "{good}");
        }
        let bad = ["425 555 1212", "+0 123 456", "+1 555", "+1234567890123456", "+1 555-CALL-NOW", "+1 425;ext=", "+"];
        for bad in bad.into_iter().chain(["+1 (425) 555-1212;ext=12a", "tel:+14255551212"]) {
            assert!(phone_number(bad).is_err(), "{bad}");
        }
    }

    fn checked(claims: &StandardClaims, before: Option<&StandardClaims>) -> Vec<String> {
        let mut errors = FieldErrors::new();
        claims.validate_changes(before, &mut errors);
        errors.iter().map(|e| e.field.clone()).collect()
    }

    #[test]
    fn each_claim_is_checked_under_its_own_name() {
        let every = StandardClaims {
            given_name: Some("Ada".into()),
            family_name: Some("Lovelace".into()),
            middle_name: Some("Augusta".into()),
            nickname: Some("Countess".into()),
            profile: Some("https://example.com/ada".into()),
            picture: Some("http://example.com/ada.png".into()),
            website: Some("https://ada.example".into()),
            gender: Some("female".into()),
            birthdate: Some("1815-12-10".into()),
            zoneinfo: Some("Europe/London".into()),
            locale: Some("en-GB".into()),
            phone_number: Some("+44 20 7946 0958".into()),
            phone_number_verified: true,
            address: Some(Address {
                formatted: Some("12 St James's Square\nLondon".into()),
                street_address: Some("12 St James's Square".into()),
                locality: Some("London".into()),
                region: Some("Greater London".into()),
                postal_code: Some("SW1Y 4LB".into()),
                country: Some("United Kingdom".into()),
            }),
        };
        assert_eq!(checked(&every, None), Vec::<String>::new());

        let bad = StandardClaims {
            given_name: Some(" ".into()),
            family_name: Some("x".repeat(201)),
            middle_name: Some("a\u{202E}b".into()),
            nickname: Some("tab\there".into()),
            profile: Some("ftp://example.com/ada".into()),
            picture: Some("/ada.png".into()),
            website: Some("javascript:alert(1)".into()),
            gender: Some("g".repeat(65)),
            birthdate: Some("1990-13-45".into()),
            zoneinfo: Some("Paris".into()),
            locale: Some("en_GB".into()),
            phone_number: Some("020 7946 0958".into()),
            phone_number_verified: false,
            address: Some(Address {
                formatted: Some("a\u{0}b".into()),
                locality: Some("line\nbreak".into()),
                postal_code: Some("9".repeat(33)),
                ..Address::default()
            }),
        };
        let expected = [
            "given_name",
            "family_name",
            "middle_name",
            "nickname",
            "profile",
            "picture",
            "website",
            "gender",
            "birthdate",
            "zoneinfo",
            "locale",
            "phone_number",
            "address.formatted",
            "address.locality",
            "address.postal_code",
        ];
        assert_eq!(checked(&bad, None), expected);
        assert_eq!(checked(&bad, Some(&bad)), Vec::<String>::new(), "what did not change is not checked again");
        let one_changed = StandardClaims { birthdate: Some("1990-12-45".into()), ..bad.clone() };
        assert_eq!(checked(&one_changed, Some(&bad)), ["birthdate"]);
    }

    #[test]
    fn differences_are_named_not_shown() {
        let before = StandardClaims { nickname: Some("Al".into()), ..StandardClaims::default() };
        let after = StandardClaims {
            birthdate: Some("1990".into()),
            phone_number_verified: true,
            address: Some(Address { country: Some("FR".into()), ..Address::default() }),
            ..StandardClaims::default()
        };
        assert_eq!(after.differences(&before), ["nickname", "birthdate", "phone_number_verified", "address"]);
        assert!(after.differences(&after).is_empty());
    }

    #[test]
    fn an_address_without_parts_is_none() {
        assert_eq!(Address::default().non_empty(), None);
        let city = Address { locality: Some("Paris".into()), ..Address::default() };
        assert_eq!(city.clone().non_empty(), Some(city));
    }
}
