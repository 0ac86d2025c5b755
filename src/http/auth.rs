//! How requests authenticate: the authentication type and its credentials, the headers each
//! request carries, the `credentials` mode of `fetch` and whether a redirect may be followed.
//!
//! Headers are kept to the minimum: a tenant allows a fixed list of request headers
//! cross-origin, and every non-safelisted header is part of the CORS preflight.
//!
//! - No `accept`: the browser's default `*/*` accepts both the `text/csv` result bodies and the
//!   `application/json` error bodies, and a narrower value could make a strictly negotiating
//!   server answer 406 instead of its JSON error.
//! - No `content-type`: no request has a body (`POST .../jobs` is sent without one).
//!
//! Redirects never take a request off the host's origin with anything of the caller's, and
//! never make another origin's answer pass for the tenant's; see [`Redirects`].
//!
//! Host configs of the official client are read as it reads them: see [`super::auth_type`].

use crate::prelude::*;
use core::fmt;

pub use super::auth_type::AuthType;
use super::auth_type::{by_name, served};
use super::text::quoted;

/// The `credentials` mode of a `fetch` request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Credentials {
    /// `include`: send cookies cross-origin.
    Include,
    /// `same-origin`: send cookies only to the page's own origin.
    SameOrigin,
    /// `omit`: never send cookies.
    Omit,
}

/// How a request treats a redirect answer (`RequestInit.redirect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redirects {
    /// `manual`: the browser does not follow and the call fails. For every POST and every
    /// request with credentials (a cookie session, an API key, a token): following would send
    /// the `qlik-web-integration-id`, `qlik-csrf-token` or `authorization` header, and on a
    /// 307/308 the POST itself, to the new origin.
    Refuse,
    /// `follow`: for a GET without credentials (`authType: 'none'`), which carries nothing to
    /// leak; the answer counts only when its final URL is on the host's origin, else the call
    /// fails.
    FollowWithinOrigin,
}

/// A rejected authentication setting; [`AuthError::field`] names the option at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// `authType` names no authentication type of the official client (shortened).
    InvalidAuthType { value: String },
    /// An authentication type of the official client that this client cannot serve, named by
    /// `authType` or chosen by the field `field` (`accessCode`, `reference`, `pfx`).
    UnsupportedAuthType { auth_type: &'static str, field: &'static str },
    /// `authType: "apikey"` without a non-empty `apiKey`.
    MissingApiKey,
    /// `apiKey` contains characters that cannot be sent in an HTTP header.
    InvalidApiKey,
    /// `authType: "oauth2"` without a `getAccessToken` function.
    MissingAccessTokenFn,
    /// `webIntegrationId` contains characters that cannot be sent in an HTTP header.
    InvalidWebIntegrationId,
}

impl AuthError {
    /// The option at fault, as JavaScript callers spell it.
    pub fn field(&self) -> &'static str {
        match self {
            AuthError::InvalidAuthType { .. } => "authType",
            AuthError::UnsupportedAuthType { field, .. } => field,
            AuthError::MissingApiKey | AuthError::InvalidApiKey => "apiKey",
            AuthError::MissingAccessTokenFn => "getAccessToken",
            AuthError::InvalidWebIntegrationId => "webIntegrationId",
        }
    }

    /// What is wrong, in words.
    pub fn message(&self) -> String {
        let text = match self {
            AuthError::InvalidAuthType { value } => {
                return [
                    &quoted(value),
                    " is not an authentication type; expected \"cookie\", \"apikey\", \"oauth2\", \"none\" \
                     or \"noauth\" (in any case)",
                ]
                .concat()
            }
            AuthError::UnsupportedAuthType { auth_type, field } => {
                let what = match *auth_type {
                    "anonymous" => "anonymous access",
                    "pfx" => "certificate (PFX) authentication",
                    "windowscookie" => "Qlik Sense Enterprise on Windows",
                    "reference" => "a reference to a host config registered with @qlik/api",
                    _ => "this authentication type",
                };
                let (chosen, by, close) =
                    if *field == "authType" { ("", "", "") } else { (" (chosen by `", *field, "`)") };
                return [
                    "authType \"",
                    auth_type,
                    "\"",
                    chosen,
                    by,
                    close,
                    ", ",
                    what,
                    ", is not supported by this client; it serves \"cookie\", \"apikey\", \"oauth2\" with \
                     `getAccessToken`, and \"none\"",
                ]
                .concat();
            }
            AuthError::MissingApiKey => "authType \"apikey\" requires a non-empty `apiKey`",
            AuthError::InvalidApiKey => {
                "contains whitespace, control or non-ASCII characters and cannot be sent as a bearer token"
            }
            AuthError::MissingAccessTokenFn => {
                "authType \"oauth2\" requires `getAccessToken`, a function or the name of a global function \
                 (this client does not run OAuth2's login flows)"
            }
            AuthError::InvalidWebIntegrationId => {
                "contains whitespace, control or non-ASCII characters and cannot be sent in a header"
            }
        };
        text.into()
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// The authentication settings as read from JavaScript, before validation.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AuthInput {
    pub auth_type: Option<String>,
    pub web_integration_id: Option<String>,
    pub api_key: Option<String>,
    /// Whether `getAccessToken` is given: a function, or the name of a global function.
    pub has_access_token_fn: bool,
    pub cross_site_cookies: Option<bool>,
    /// Whether the fields that choose an authentication type this client does not serve are
    /// set (truthy, as JavaScript tests them): `accessCode`, `clientId`, `reference`, `pfx`.
    pub has_access_code: bool,
    pub has_client_id: bool,
    pub has_reference: bool,
    pub has_pfx: bool,
}

impl fmt::Debug for AuthInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthInput")
            .field("auth_type", &self.auth_type)
            .field("web_integration_id", &self.web_integration_id)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("has_access_token_fn", &self.has_access_token_fn)
            .field("cross_site_cookies", &self.cross_site_cookies)
            .field("has_access_code", &self.has_access_code)
            .field("has_client_id", &self.has_client_id)
            .field("has_reference", &self.has_reference)
            .field("has_pfx", &self.has_pfx)
            .finish()
    }
}

/// The authentication type of a host config and the official client's module name for it
/// (`noauth` and `none` are both [`AuthType::None`]): `authType` when given and not empty,
/// matched case-insensitively, else inferred from the fields set, as the official client's
/// `determineAuthType` does (see the module documentation).
pub fn resolve_auth_type(input: &AuthInput) -> Result<(AuthType, &'static str), AuthError> {
    let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
    let (module, field) = match input.auth_type.as_deref().filter(|t| !t.is_empty()) {
        Some(value) => {
            let name =
                by_name(value).ok_or_else(|| AuthError::InvalidAuthType { value: super::url::shorten(value) })?;
            (name, "authType")
        }
        Option::None if set(&input.api_key) => ("apikey", "apiKey"),
        Option::None if input.has_access_code => ("anonymous", "accessCode"),
        Option::None if input.has_client_id => ("oauth2", "clientId"),
        Option::None if set(&input.web_integration_id) => ("cookie", "webIntegrationId"),
        Option::None if input.has_reference => ("reference", "reference"),
        Option::None if input.has_pfx => ("pfx", "pfx"),
        Option::None => ("cookie", "authType"),
    };
    served(module).map(|kind| (kind, module)).ok_or(AuthError::UnsupportedAuthType { auth_type: module, field })
}

/// Validated authentication settings.
#[derive(Clone, PartialEq, Eq)]
pub struct Auth {
    kind: AuthType,
    /// The official client's module name of the type (`noauth` or `none` for [`AuthType::None`]).
    module: &'static str,
    /// Trimmed; `None` when absent or blank.
    web_integration_id: Option<String>,
    /// The trimmed API key; set only for [`AuthType::ApiKey`].
    api_key: Option<String>,
    cross_site_cookies: bool,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("kind", &self.kind)
            .field("module", &self.module)
            .field("web_integration_id", &self.web_integration_id)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("cross_site_cookies", &self.cross_site_cookies)
            .finish()
    }
}

/// Whether `value` can be sent as a bearer token or plain header value: non-empty, visible
/// ASCII only (no whitespace, control or non-ASCII characters).
fn is_header_token(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_graphic())
}

/// Whether `method` is safe (`GET` or `HEAD`, any case) and so needs no CSRF token.
#[inline(never)]
fn is_safe_method(method: &str) -> bool {
    method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD")
}

impl Auth {
    /// Validates `input`; the authentication type is found by [`resolve_auth_type`]. Values
    /// are trimmed; a web integration ID or API key must be sendable in a header.
    pub fn from_input(input: AuthInput) -> Result<Auth, AuthError> {
        let (kind, module) = resolve_auth_type(&input)?;
        let api_key = match kind {
            AuthType::ApiKey => match input.api_key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
                Option::None => return Err(AuthError::MissingApiKey),
                Some(k) if !is_header_token(k) => return Err(AuthError::InvalidApiKey),
                Some(k) => Some(k.to_string()),
            },
            _ => Option::None,
        };
        if kind == AuthType::OAuth2 && !input.has_access_token_fn {
            return Err(AuthError::MissingAccessTokenFn);
        }
        let web_integration_id = match input.web_integration_id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => {
                if !is_header_token(id) {
                    return Err(AuthError::InvalidWebIntegrationId);
                }
                Some(id.to_string())
            }
            _ => Option::None,
        };
        let cross_site_cookies = input.cross_site_cookies.unwrap_or(true);
        Ok(Auth { kind, module, web_integration_id, api_key, cross_site_cookies })
    }

    pub fn kind(&self) -> AuthType {
        self.kind
    }

    /// The official client's module name of the authentication type: `cookie`, `apikey`,
    /// `oauth2`, `none` or `noauth`.
    pub fn module(&self) -> &'static str {
        self.module
    }

    /// The web integration ID, when configured.
    pub fn web_integration_id(&self) -> Option<&str> {
        self.web_integration_id.as_deref()
    }

    /// Whether a `method` request needs a CSRF token: with a cookie session, every method but
    /// `GET` and `HEAD`.
    pub fn needs_csrf_token(&self, method: &str) -> bool {
        self.kind == AuthType::Cookie && !is_safe_method(method)
    }

    /// The request headers, lower-case names, for a request with `method`.
    ///
    /// - Cookie: `qlik-web-integration-id` when configured; `qlik-csrf-token` when `method` is
    ///   neither `GET` nor `HEAD` and a non-empty token is given.
    /// - API key: `authorization: Bearer <apiKey>` (`bearer` is ignored).
    /// - OAuth2: `authorization: Bearer <bearer>` when `bearer` is given and not blank
    ///   (surrounding whitespace trimmed).
    /// - None: no headers.
    pub fn headers(&self, method: &str, bearer: Option<&str>, csrf_token: Option<&str>) -> Vec<(&'static str, String)> {
        let mut headers = Vec::with_capacity(2);
        match self.kind {
            AuthType::Cookie => {
                if let Some(id) = &self.web_integration_id {
                    headers.push(("qlik-web-integration-id", id.clone()));
                }
                if !is_safe_method(method) {
                    if let Some(token) = csrf_token.filter(|t| !t.is_empty()) {
                        headers.push(("qlik-csrf-token", token.to_string()));
                    }
                }
            }
            AuthType::ApiKey => {
                if let Some(key) = &self.api_key {
                    headers.push(("authorization", ["Bearer ", key].concat()));
                }
            }
            AuthType::OAuth2 => {
                if let Some(token) = bearer.map(str::trim).filter(|t| !t.is_empty()) {
                    headers.push(("authorization", ["Bearer ", token].concat()));
                }
            }
            AuthType::None => {}
        }
        headers
    }

    /// The `credentials` mode of requests from a page on the host's origin (`same_origin`) or
    /// another one (or an unknown one).
    ///
    /// Cookie authentication: `same-origin` when the page is on the host's origin or
    /// `cross_site_cookies` is `false`, otherwise `include`. Every other authentication type:
    /// `omit`.
    pub fn credentials(&self, same_origin: bool) -> Credentials {
        match self.kind {
            AuthType::Cookie if same_origin || !self.cross_site_cookies => Credentials::SameOrigin,
            AuthType::Cookie => Credentials::Include,
            AuthType::ApiKey | AuthType::OAuth2 | AuthType::None => Credentials::Omit,
        }
    }

    /// How a `method` request treats a redirect; see [`Redirects`].
    pub fn redirects(&self, method: &str) -> Redirects {
        if self.kind == AuthType::None && method.eq_ignore_ascii_case("GET") {
            Redirects::FollowWithinOrigin
        } else {
            Redirects::Refuse
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(kind: &str, wid: Option<&str>) -> Auth {
        Auth::from_input(AuthInput {
            auth_type: Some(kind.into()),
            web_integration_id: wid.map(String::from),
            api_key: Some("the-key".into()),
            has_access_token_fn: true,
            ..AuthInput::default()
        })
        .unwrap()
    }

    fn input(kind: Option<&str>) -> AuthInput {
        AuthInput { auth_type: kind.map(String::from), ..AuthInput::default() }
    }

    #[test]
    fn auth_type_parsing() {
        assert_eq!(Auth::from_input(input(None)).map(|a| a.kind()), Ok(AuthType::Cookie));
        for a in AuthType::ALL {
            let i = AuthInput { api_key: Some("k".into()), has_access_token_fn: true, ..input(Some(a.as_str())) };
            assert_eq!(Auth::from_input(i).map(|a| a.kind()), Ok(a));
        }
        for bad in ["oauth", "api-key", " none", "cookie ", "myCustomModule"] {
            let err = Auth::from_input(input(Some(bad))).unwrap_err();
            assert_eq!(err.field(), "authType");
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
        let long = format!("ftp{}", "x".repeat(5000));
        assert!(Auth::from_input(input(Some(&long))).unwrap_err().to_string().len() < 400);
    }

    #[test]
    fn auth_type_matches_in_any_case() {
        let full = |t: &str| AuthInput { api_key: Some("k".into()), has_access_token_fn: true, ..input(Some(t)) };
        for (given, kind, module) in [
            ("ApiKey", AuthType::ApiKey, "apikey"),
            ("APIKEY", AuthType::ApiKey, "apikey"),
            ("Cookie", AuthType::Cookie, "cookie"),
            ("OAuth2", AuthType::OAuth2, "oauth2"),
            ("None", AuthType::None, "none"),
            ("noAuth", AuthType::None, "noauth"),
        ] {
            let a = Auth::from_input(full(given)).unwrap();
            assert_eq!((a.kind(), a.module()), (kind, module), "{given}");
        }
    }

    #[test]
    fn auth_type_is_inferred_as_the_official_client_does() {
        let base = AuthInput::default();
        let key = || Some("k".to_string());
        let wid = || Some("w".to_string());
        // The module, or the unsupported type and the field that chose it.
        type Expected = Result<&'static str, (&'static str, &'static str)>;
        let cases: Vec<(AuthInput, Expected)> = vec![
            (base.clone(), Ok("cookie")),
            (AuthInput { has_access_token_fn: true, ..base.clone() }, Ok("cookie")),
            (AuthInput { web_integration_id: wid(), ..base.clone() }, Ok("cookie")),
            (
                AuthInput { api_key: key(), web_integration_id: wid(), has_client_id: true, ..base.clone() },
                Ok("apikey"),
            ),
            (AuthInput { api_key: Some(String::new()), ..base.clone() }, Ok("cookie")),
            (
                AuthInput { has_client_id: true, has_access_token_fn: true, web_integration_id: wid(), ..base.clone() },
                Ok("oauth2"),
            ),
            (
                AuthInput { has_access_code: true, has_client_id: true, ..base.clone() },
                Err(("anonymous", "accessCode")),
            ),
            (AuthInput { has_reference: true, ..base.clone() }, Err(("reference", "reference"))),
            (AuthInput { web_integration_id: wid(), has_reference: true, ..base.clone() }, Ok("cookie")),
            (AuthInput { has_pfx: true, ..base.clone() }, Err(("pfx", "pfx"))),
            (AuthInput { has_reference: true, has_pfx: true, ..base.clone() }, Err(("reference", "reference"))),
            (AuthInput { auth_type: Some(String::new()), api_key: key(), ..base.clone() }, Ok("apikey")),
            (AuthInput { auth_type: Some("none".into()), api_key: key(), has_pfx: true, ..base.clone() }, Ok("none")),
            (AuthInput { auth_type: Some("WindowsCookie".into()), ..base.clone() }, Err(("windowscookie", "authType"))),
            (AuthInput { auth_type: Some("anonymous".into()), ..base.clone() }, Err(("anonymous", "authType"))),
        ];
        for (i, expected) in cases {
            let got = resolve_auth_type(&i).map(|(_, module)| module).map_err(|e| match e {
                AuthError::UnsupportedAuthType { auth_type, field } => (auth_type, field),
                other => panic!("{other:?}"),
            });
            assert_eq!(got, expected, "{i:?}");
        }
    }

    #[test]
    fn unsupported_auth_types_name_the_type_and_the_field() {
        let e = Auth::from_input(AuthInput { has_pfx: true, ..AuthInput::default() }).unwrap_err();
        assert_eq!(e.field(), "pfx");
        assert!(e.to_string().contains("\"pfx\" (chosen by `pfx`)"), "{e}");
        let e = Auth::from_input(input(Some("windowscookie"))).unwrap_err();
        assert_eq!(e.field(), "authType");
        assert!(e.to_string().contains("Qlik Sense Enterprise on Windows, is not supported"), "{e}");
        let e = Auth::from_input(AuthInput { has_client_id: true, ..AuthInput::default() }).unwrap_err();
        assert_eq!(e, AuthError::MissingAccessTokenFn);
        assert!(e.to_string().contains("name of a global function"), "{e}");
    }

    #[test]
    fn credentials_required_by_each_type() {
        assert_eq!(Auth::from_input(input(Some("apikey"))), Err(AuthError::MissingApiKey));
        let mut i = input(Some("apikey"));
        i.api_key = Some("   ".into());
        assert_eq!(Auth::from_input(i.clone()), Err(AuthError::MissingApiKey));
        i.api_key = Some("abc def".into());
        assert_eq!(Auth::from_input(i.clone()), Err(AuthError::InvalidApiKey));
        i.api_key = Some("abc\r\nx: y".into());
        assert_eq!(Auth::from_input(i.clone()), Err(AuthError::InvalidApiKey));
        i.api_key = Some(" eyJhbGciOi.abc-_/+=.sig \n".into());
        let a = Auth::from_input(i).unwrap();
        assert_eq!(a.headers("GET", None, None), vec![("authorization", "Bearer eyJhbGciOi.abc-_/+=.sig".to_string())]);
        assert!(!format!("{a:?}").contains("eyJ"));

        assert_eq!(Auth::from_input(input(Some("oauth2"))), Err(AuthError::MissingAccessTokenFn));
        let stray = AuthInput { api_key: Some("stray".into()), ..input(Some("cookie")) };
        assert!(Auth::from_input(stray).unwrap().headers("GET", None, None).is_empty());

        for (e, field) in [
            (AuthError::MissingApiKey, "apiKey"),
            (AuthError::InvalidApiKey, "apiKey"),
            (AuthError::MissingAccessTokenFn, "getAccessToken"),
            (AuthError::InvalidWebIntegrationId, "webIntegrationId"),
        ] {
            assert_eq!(e.field(), field);
        }
    }

    #[test]
    fn web_integration_id() {
        let with = |id: &str| Auth::from_input(AuthInput { web_integration_id: Some(id.into()), ..input(None) });
        assert_eq!(with(" abc123 ").unwrap().web_integration_id(), Some("abc123"));
        assert_eq!(with("").unwrap().web_integration_id(), None);
        assert_eq!(with("a\nb"), Err(AuthError::InvalidWebIntegrationId));
    }

    #[test]
    fn cookie_headers() {
        let with_id = auth("cookie", Some("wid-1"));
        assert_eq!(with_id.headers("GET", None, None), vec![("qlik-web-integration-id", "wid-1".to_string())]);
        assert_eq!(
            with_id.headers("GET", Some("ignored"), Some("csrf")),
            vec![("qlik-web-integration-id", "wid-1".to_string())]
        );
        assert_eq!(
            with_id.headers("POST", None, Some("csrf")),
            vec![("qlik-web-integration-id", "wid-1".to_string()), ("qlik-csrf-token", "csrf".to_string())]
        );
        assert_eq!(with_id.headers("post", None, Some("")), vec![("qlik-web-integration-id", "wid-1".to_string())]);
        assert_eq!(with_id.headers("HEAD", None, Some("csrf")), vec![("qlik-web-integration-id", "wid-1".to_string())]);
        assert!(with_id.needs_csrf_token("POST") && with_id.needs_csrf_token("post"));
        assert!(!with_id.needs_csrf_token("GET") && !with_id.needs_csrf_token("HEAD"));

        let no_id = auth("cookie", None);
        assert!(no_id.headers("GET", None, Some("csrf")).is_empty());
        assert_eq!(no_id.headers("POST", Some("tok"), Some("csrf")), vec![("qlik-csrf-token", "csrf".to_string())]);
        assert!(no_id.headers("POST", None, None).is_empty());
    }

    #[test]
    fn bearer_headers() {
        let key = auth("apikey", Some("wid"));
        for method in ["GET", "POST"] {
            assert_eq!(
                key.headers(method, Some("other"), Some("csrf")),
                vec![("authorization", "Bearer the-key".to_string())]
            );
            assert!(!key.needs_csrf_token(method));
        }
        let oauth = auth("oauth2", Some("wid"));
        for method in ["GET", "POST"] {
            assert_eq!(
                oauth.headers(method, Some("tok"), Some("csrf")),
                vec![("authorization", "Bearer tok".to_string())]
            );
            assert_eq!(oauth.headers(method, Some(" tok\n"), None), vec![("authorization", "Bearer tok".to_string())]);
            assert!(oauth.headers(method, None, None).is_empty());
            assert!(oauth.headers(method, Some(" "), None).is_empty());
        }
        let none = auth("none", Some("wid"));
        for method in ["GET", "POST"] {
            assert!(none.headers(method, Some("tok"), Some("csrf")).is_empty());
        }
    }

    #[test]
    fn no_content_type_or_accept() {
        for kind in ["cookie", "apikey", "oauth2", "none"] {
            let a = auth(kind, Some("wid"));
            for method in ["GET", "POST"] {
                let h = a.headers(method, Some("tok"), Some("csrf"));
                assert!(h.iter().all(|(n, _)| *n != "content-type" && *n != "accept"), "{kind} {method}: {h:?}");
                assert!(h.iter().all(|(n, _)| n.bytes().all(|b| !b.is_ascii_uppercase())));
            }
        }
    }

    #[test]
    fn credentials_modes() {
        let cookie = auth("cookie", None);
        assert_eq!(cookie.credentials(false), Credentials::Include);
        assert_eq!(cookie.credentials(true), Credentials::SameOrigin);
        let strict = Auth::from_input(AuthInput { cross_site_cookies: Some(false), ..input(None) }).unwrap();
        assert_eq!(strict.credentials(false), Credentials::SameOrigin);
        assert_eq!(strict.credentials(true), Credentials::SameOrigin);
        for kind in ["apikey", "oauth2", "none"] {
            assert_eq!(auth(kind, None).credentials(false), Credentials::Omit, "{kind}");
            assert_eq!(auth(kind, None).credentials(true), Credentials::Omit, "{kind}");
        }
    }

    #[test]
    fn redirects_are_followed_only_by_a_get_without_credentials() {
        for kind in ["cookie", "apikey", "oauth2"] {
            let a = auth(kind, Some("wid"));
            assert_eq!(a.redirects("GET"), Redirects::Refuse, "{kind}");
            assert_eq!(a.redirects("POST"), Redirects::Refuse, "{kind}");
        }
        let none = auth("none", None);
        assert_eq!(none.redirects("GET"), Redirects::FollowWithinOrigin);
        assert_eq!(none.redirects("POST"), Redirects::Refuse);
    }
}
