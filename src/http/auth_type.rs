//! The authentication types, and the host configs of the official client.
//!
//! A host config of `@qlik/api` (2.19) is taken as it is. Its authentication type is found as
//! `determineAuthType` finds it (src/auth/internal/auth-module-registry.ts of
//! qlik-oss/qlik-api-ts): a non-empty `authType`, matched case-insensitively (the registry keys
//! its modules by lower-case name), or else the first field set of `apiKey` (API key),
//! `accessCode` (anonymous), `clientId` (OAuth2), `webIntegrationId` (cookie), `reference`,
//! `pfx`, and else a cookie session. (For a host outside Qlik Cloud's domains with none of these
//! fields it also asks the host whether it is Qlik Sense Enterprise on Windows, for
//! `windowscookie`; the AutoML API is Qlik Cloud's only, so this client does not ask and takes a
//! cookie session.) Of its authentication types, `anonymous`, `pfx`, `windowscookie` and
//! `reference` cannot be served here and are refused, naming the field that chose them; an
//! unknown name is refused too (the official client would look for a custom module on
//! `globalThis`). The fields each type knows ([`known_field`]) are its module's
//! `requiredProps` and `optionalProps`, and those of every type (`hostConfigCommonProperties`,
//! src/auth/auth-types.ts); the official client warns about any other field, and so does this
//! one (see `HostConfig::unknown_fields`).

use core::fmt;

/// How requests authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthType {
    /// Browser session cookies, with `qlik-web-integration-id` and CSRF token headers.
    Cookie,
    /// `Authorization: Bearer <apiKey>`.
    ApiKey,
    /// `Authorization: Bearer <token>`, the token coming from `getAccessToken()`.
    OAuth2,
    /// No credentials at all.
    None,
}

/// The authentication types of the official client, by the lower-case name it registers its
/// modules under (src/auth/internal/auth-module-registry.ts), with the type serving each here
/// (`None`: not served) and the fields of the host config that its module requires or accepts
/// (its `requiredProps` and `optionalProps`), besides the common ones.
const QLIK_AUTH_TYPES: [(&str, Option<AuthType>, &[&str]); 9] = [
    ("apikey", Some(AuthType::ApiKey), &["apiKey"]),
    ("cookie", Some(AuthType::Cookie), &["webIntegrationId", "crossSiteCookies", "anonymousMode"]),
    ("none", Some(AuthType::None), &[]),
    ("noauth", Some(AuthType::None), &[]),
    (
        "oauth2",
        Some(AuthType::OAuth2),
        &[
            "clientId",
            "clientSecret",
            "redirectUri",
            "accessTokenStorage",
            "scope",
            "subject",
            "userId",
            "noCache",
            "getAccessToken",
            "performInteractiveLogin",
        ],
    ),
    ("anonymous", Option::None, &["clientId", "accessCode"]),
    ("pfx", Option::None, &["pfx", "passphrase", "userHeader"]),
    ("windowscookie", Option::None, &["loginUri", "crossSiteCookies", "getAccessToken"]),
    ("reference", Option::None, &["reference"]),
];

/// The fields every host config may have, whatever its authentication type
/// (`hostConfigCommonProperties`, src/auth/auth-types.ts).
const COMMON_FIELDS: [&str; 6] =
    ["authType", "autoRedirect", "authRedirectUserConfirmation", "embedRuntimeUrl", "host", "onAuthFailed"];

/// The fields of the host config that the official client's module `module` (a name of
/// [`QLIK_AUTH_TYPES`]) requires or accepts, besides the common ones.
fn module_fields(module: &str) -> &'static [&'static str] {
    QLIK_AUTH_TYPES.iter().find(|(name, ..)| *name == module).map_or(&[], |(.., fields)| fields)
}

/// Whether `field` is a host-config field of authentication type `module`: one of its module's
/// or a common one.
pub fn known_field(module: &str, field: &str) -> bool {
    COMMON_FIELDS.contains(&field) || module_fields(module).contains(&field)
}

/// The host-config field of any authentication type that `field` spells in another case
/// (`webintegrationId` → `webIntegrationId`), for a hint.
pub fn field_in_other_case(field: &str) -> Option<&'static str> {
    for fields in QLIK_AUTH_TYPES.iter().map(|(.., fields)| *fields).chain([&COMMON_FIELDS[..]]) {
        if let Some(known) = fields.iter().find(|known| **known != field && known.eq_ignore_ascii_case(field)) {
            return Some(known);
        }
    }
    None
}

impl AuthType {
    /// Every authentication type.
    #[cfg(test)]
    pub const ALL: [AuthType; 4] = [AuthType::Cookie, AuthType::ApiKey, AuthType::OAuth2, AuthType::None];

    /// The `authType` string of the authentication type.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthType::Cookie => "cookie",
            AuthType::ApiKey => "apikey",
            AuthType::OAuth2 => "oauth2",
            AuthType::None => "none",
        }
    }

    /// Whether requests carry credentials (cookies or a bearer token).
    pub fn sends_credentials(self) -> bool {
        !matches!(self, AuthType::None)
    }
}

impl fmt::Display for AuthType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The official client's name of the authentication type `value` names in any case.
pub fn by_name(value: &str) -> Option<&'static str> {
    QLIK_AUTH_TYPES.iter().find(|(name, ..)| name.eq_ignore_ascii_case(value)).map(|(name, ..)| *name)
}

/// The type serving the official client's authentication type `module` here, if any.
pub fn served(module: &str) -> Option<AuthType> {
    QLIK_AUTH_TYPES.iter().find(|(name, ..)| *name == module).and_then(|(_, kind, _)| *kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_of_each_auth_type() {
        for field in COMMON_FIELDS {
            for (module, ..) in QLIK_AUTH_TYPES {
                assert!(known_field(module, field), "{module} {field}");
            }
        }
        assert!(known_field("apikey", "apiKey") && !known_field("apikey", "webIntegrationId"));
        assert!(known_field("cookie", "crossSiteCookies") && !known_field("cookie", "getAccessToken"));
        assert!(known_field("oauth2", "getAccessToken") && known_field("oauth2", "clientId"));
        assert!(!known_field("none", "apiKey") && !known_field("noauth", "crossSiteCookies"));
        assert_eq!(field_in_other_case("webintegrationId"), Some("webIntegrationId"));
        assert_eq!(field_in_other_case("APIKEY"), Some("apiKey"));
        assert_eq!(field_in_other_case("authtype"), Some("authType"));
        assert_eq!(field_in_other_case("apiKey"), None);
        assert_eq!(field_in_other_case("webIntegration"), None);
    }
}
