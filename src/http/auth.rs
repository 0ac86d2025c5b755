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

use std::fmt;

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

impl AuthType {
    /// Every authentication type.
    const ALL: [AuthType; 4] = [AuthType::Cookie, AuthType::ApiKey, AuthType::OAuth2, AuthType::None];

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
    /// `authType` is not one of the accepted values (shortened).
    InvalidAuthType { value: String },
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
            AuthError::MissingApiKey | AuthError::InvalidApiKey => "apiKey",
            AuthError::MissingAccessTokenFn => "getAccessToken",
            AuthError::InvalidWebIntegrationId => "webIntegrationId",
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::InvalidAuthType { value } => {
                write!(f, "{value:?} is not supported; expected \"cookie\", \"apikey\", \"oauth2\" or \"none\"")
            }
            AuthError::MissingApiKey => f.write_str("authType \"apikey\" requires a non-empty `apiKey`"),
            AuthError::InvalidApiKey => {
                f.write_str("contains whitespace, control or non-ASCII characters and cannot be sent as a bearer token")
            }
            AuthError::MissingAccessTokenFn => f.write_str("authType \"oauth2\" requires a `getAccessToken` function"),
            AuthError::InvalidWebIntegrationId => {
                f.write_str("contains whitespace, control or non-ASCII characters and cannot be sent in a header")
            }
        }
    }
}

/// The authentication settings as read from JavaScript, before validation.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AuthInput {
    pub auth_type: Option<String>,
    pub web_integration_id: Option<String>,
    pub api_key: Option<String>,
    pub has_access_token_fn: bool,
    pub cross_site_cookies: Option<bool>,
}

impl fmt::Debug for AuthInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthInput")
            .field("auth_type", &self.auth_type)
            .field("web_integration_id", &self.web_integration_id)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("has_access_token_fn", &self.has_access_token_fn)
            .field("cross_site_cookies", &self.cross_site_cookies)
            .finish()
    }
}

/// Validated authentication settings.
#[derive(Clone, PartialEq, Eq)]
pub struct Auth {
    kind: AuthType,
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
fn is_safe_method(method: &str) -> bool {
    method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD")
}

impl Auth {
    /// Validates `input`. `authType`: absent means `cookie`; otherwise exactly `cookie`,
    /// `apikey`, `oauth2` or `none` (case-sensitive, as in the official client). Values are
    /// trimmed; a web integration ID or API key must be sendable in a header.
    pub fn from_input(input: AuthInput) -> Result<Auth, AuthError> {
        let kind = match input.auth_type.as_deref() {
            Option::None => AuthType::Cookie,
            Some(value) => AuthType::ALL
                .into_iter()
                .find(|a| a.as_str() == value)
                .ok_or_else(|| AuthError::InvalidAuthType { value: super::url::shorten(value) })?,
        };
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
        Ok(Auth { kind, web_integration_id, api_key, cross_site_cookies: input.cross_site_cookies.unwrap_or(true) })
    }

    pub fn kind(&self) -> AuthType {
        self.kind
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
                    headers.push(("authorization", format!("Bearer {key}")));
                }
            }
            AuthType::OAuth2 => {
                if let Some(token) = bearer.map(str::trim).filter(|t| !t.is_empty()) {
                    headers.push(("authorization", format!("Bearer {token}")));
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
        for bad in ["", "apiKey", "Cookie", "oauth", "windowscookie", "anonymous", " none"] {
            let err = Auth::from_input(input(Some(bad))).unwrap_err();
            assert_eq!(err.field(), "authType");
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
        let long = format!("ftp{}", "x".repeat(5000));
        assert!(Auth::from_input(input(Some(&long))).unwrap_err().to_string().len() < 400);
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
