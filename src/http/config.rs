//! The host configuration: where requests go and how they authenticate.
//!
//! # Host normalization
//!
//! - Surrounding whitespace is trimmed. A host without `scheme://` means `https://`
//!   (`tenant.eu.qlikcloud.com` and `localhost:8080` both get `https://`).
//! - Only `http` and `https` are accepted (case-insensitive). Scheme and host name are
//!   lower-cased, the scheme's default port (`:443`, `:80`) is dropped, and a port must be
//!   decimal and at most 65535. IPv6 literals are bracketed and written in their compressed
//!   form (`[0:0:0:0:0:0:0:1]` -> `[::1]`).
//! - Refused: user info (`user:pass@`), backslashes, a query or fragment, non-ASCII host names
//!   (they must be given in punycode), and characters outside `A-Z a-z 0-9 - . _` in a name.
//! - A path after the host is kept as a prefix of every URL ([`HostConfig::path_prefix`]),
//!   trailing slashes stripped, so `https://proxy.example.com/qlik/` sends requests to
//!   `https://proxy.example.com/qlik/api/v1/...`, as the official client's plain string
//!   concatenation does. Plain tenant hosts have an empty prefix. A prefix must consist of URL
//!   path characters (percent-escapes allowed) and contain no `.` or `..` segment.
//! - No host (absent, empty or blank) means the page origin, which must then be an `http(s)`
//!   origin (not `null`).
//!
//! # Transport security
//!
//! Cookie, API-key and OAuth2 authentication over plain `http:` are refused unless the host
//! is loopback: `localhost`, `*.localhost`, `127.0.0.0/8` in dotted-quad form, or `[::1]`.
//! Authentication type `none` may use any `http:` host. The rule applies equally when the host
//! defaults to the page origin.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

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
    /// Parses `authType`: absent means `cookie`; otherwise exactly `cookie`, `apikey`,
    /// `oauth2` or `none` (case-sensitive, as in the official client).
    pub fn parse(value: Option<&str>) -> Result<AuthType, ConfigError> {
        match value {
            Option::None | Some("cookie") => Ok(AuthType::Cookie),
            Some("apikey") => Ok(AuthType::ApiKey),
            Some("oauth2") => Ok(AuthType::OAuth2),
            Some("none") => Ok(AuthType::None),
            Some(other) => Err(ConfigError::InvalidAuthType { value: shorten(other) }),
        }
    }

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

impl Credentials {
    /// The value of `RequestInit.credentials`.
    pub fn as_str(self) -> &'static str {
        match self {
            Credentials::Include => "include",
            Credentials::SameOrigin => "same-origin",
            Credentials::Omit => "omit",
        }
    }
}

/// A rejected configuration or request argument. [`ConfigError::field`] names the offending
/// option as JavaScript callers spell it, and the message starts with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// No host was given and there is no page origin to default to.
    MissingHost,
    /// No host was given and the page origin is not an `http(s)` origin.
    InvalidPageOrigin { value: String },
    /// The host cannot be used as the base of request URLs.
    InvalidHost { value: String, reason: String },
    /// The host's scheme is neither `http` nor `https`.
    UnsupportedScheme { scheme: String },
    /// Credentials would travel over plain `http:` to a host that is not loopback.
    InsecureTransport { origin: String, auth: AuthType },
    /// `authType` is not one of the accepted values.
    InvalidAuthType { value: String },
    /// `authType: "apikey"` without a non-empty `apiKey`.
    MissingApiKey,
    /// `apiKey` contains characters that cannot be sent in an HTTP header.
    InvalidApiKey,
    /// `authType: "oauth2"` without a `getAccessToken` function.
    MissingAccessTokenFn,
    /// `webIntegrationId` contains characters that cannot be sent in an HTTP header.
    InvalidWebIntegrationId,
    /// The prediction ID is empty or cannot be used as one URL path segment.
    InvalidPredictionId { reason: &'static str },
}

impl ConfigError {
    /// The option at fault, as JavaScript callers spell it.
    pub fn field(&self) -> &'static str {
        match self {
            ConfigError::MissingHost
            | ConfigError::InvalidPageOrigin { .. }
            | ConfigError::InvalidHost { .. }
            | ConfigError::UnsupportedScheme { .. }
            | ConfigError::InsecureTransport { .. } => "host",
            ConfigError::InvalidAuthType { .. } => "authType",
            ConfigError::MissingApiKey | ConfigError::InvalidApiKey => "apiKey",
            ConfigError::MissingAccessTokenFn => "getAccessToken",
            ConfigError::InvalidWebIntegrationId => "webIntegrationId",
            ConfigError::InvalidPredictionId { .. } => "predictionId",
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::MissingHost => f.write_str(
                "host: no host is configured and there is no page origin to default to; \
                 set `host`, e.g. \"tenant.eu.qlikcloud.com\"",
            ),
            ConfigError::InvalidPageOrigin { value } => write!(
                f,
                "host: no host is configured and the page origin {value:?} is not an http(s) origin; \
                 set `host`, e.g. \"tenant.eu.qlikcloud.com\""
            ),
            ConfigError::InvalidHost { value, reason } => write!(f, "host: {value:?} is not usable: {reason}"),
            ConfigError::UnsupportedScheme { scheme } => {
                write!(f, "host: scheme {scheme:?} is not supported; use https:// (or http:// for a local server)")
            }
            ConfigError::InsecureTransport { origin, auth } => write!(
                f,
                "host: refusing to send credentials (authType {:?}) over plain http to {origin}; \
                 use https://, or a loopback host (localhost, 127.0.0.1, [::1]) for local development",
                auth.as_str()
            ),
            ConfigError::InvalidAuthType { value } => write!(
                f,
                "authType: {value:?} is not supported; expected \"cookie\", \"apikey\", \"oauth2\" or \"none\""
            ),
            ConfigError::MissingApiKey => f.write_str("apiKey: authType \"apikey\" requires a non-empty `apiKey`"),
            ConfigError::InvalidApiKey => f.write_str(
                "apiKey: contains whitespace, control or non-ASCII characters and cannot be sent as a bearer token",
            ),
            ConfigError::MissingAccessTokenFn => {
                f.write_str("getAccessToken: authType \"oauth2\" requires a `getAccessToken` function")
            }
            ConfigError::InvalidWebIntegrationId => f.write_str(
                "webIntegrationId: contains whitespace, control or non-ASCII characters and cannot be sent in a header",
            ),
            ConfigError::InvalidPredictionId { reason } => write!(f, "predictionId: {reason}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The host configuration as read from a JavaScript object, before validation.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct HostConfigInput {
    pub host: Option<String>,
    pub auth_type: Option<String>,
    pub web_integration_id: Option<String>,
    pub cross_site_cookies: Option<bool>,
    pub api_key: Option<String>,
    pub has_access_token_fn: bool,
    pub auto_redirect: Option<bool>,
}

impl fmt::Debug for HostConfigInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostConfigInput")
            .field("host", &self.host)
            .field("auth_type", &self.auth_type)
            .field("web_integration_id", &self.web_integration_id)
            .field("cross_site_cookies", &self.cross_site_cookies)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("has_access_token_fn", &self.has_access_token_fn)
            .field("auto_redirect", &self.auto_redirect)
            .finish()
    }
}

/// A validated host configuration.
#[derive(Clone, PartialEq, Eq)]
pub struct HostConfig {
    /// `scheme://host[:port]`, normalized as described in the module documentation.
    pub origin: String,
    /// A path kept from the configured host, without a trailing slash (`""` for plain hosts,
    /// otherwise starting with `/`). Every URL is `origin + path_prefix + "/api/..."`.
    pub path_prefix: String,
    pub auth: AuthType,
    /// Trimmed; `None` when absent or blank.
    pub web_integration_id: Option<String>,
    /// Defaults to `true`.
    pub cross_site_cookies: bool,
    /// The trimmed API key; set only for [`AuthType::ApiKey`].
    pub api_key: Option<String>,
    /// Defaults to `false`.
    pub auto_redirect: bool,
}

impl fmt::Debug for HostConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostConfig")
            .field("origin", &self.origin)
            .field("path_prefix", &self.path_prefix)
            .field("auth", &self.auth)
            .field("web_integration_id", &self.web_integration_id)
            .field("cross_site_cookies", &self.cross_site_cookies)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("auto_redirect", &self.auto_redirect)
            .finish()
    }
}

impl HostConfig {
    /// Validates `input`. `page_origin` is the page's `location.origin`, used when no host is
    /// given.
    pub fn from_input(input: HostConfigInput, page_origin: Option<&str>) -> Result<HostConfig, ConfigError> {
        let auth = AuthType::parse(input.auth_type.as_deref())?;

        let host = input.host.as_deref().map(str::trim).filter(|h| !h.is_empty());
        let base = match host {
            Some(h) => parse_host(h)?,
            Option::None => match page_origin {
                Option::None => return Err(ConfigError::MissingHost),
                Some(p) => match parse_origin(p) {
                    Some(base) => base,
                    Option::None => return Err(ConfigError::InvalidPageOrigin { value: shorten(p) }),
                },
            },
        };

        if auth.sends_credentials() && base.scheme == Scheme::Http && !is_loopback_host(&base.host) {
            return Err(ConfigError::InsecureTransport { origin: base.origin(), auth });
        }

        let api_key = match auth {
            AuthType::ApiKey => {
                let key = input.api_key.as_deref().map(str::trim).filter(|k| !k.is_empty());
                match key {
                    Option::None => return Err(ConfigError::MissingApiKey),
                    Some(k) if !is_header_token(k) => return Err(ConfigError::InvalidApiKey),
                    Some(k) => Some(k.to_string()),
                }
            }
            _ => Option::None,
        };
        if auth == AuthType::OAuth2 && !input.has_access_token_fn {
            return Err(ConfigError::MissingAccessTokenFn);
        }

        let web_integration_id = match input.web_integration_id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => {
                if !is_header_token(id) {
                    return Err(ConfigError::InvalidWebIntegrationId);
                }
                Some(id.to_string())
            }
            _ => Option::None,
        };

        Ok(HostConfig {
            origin: base.origin(),
            path_prefix: base.path_prefix,
            auth,
            web_integration_id,
            cross_site_cookies: input.cross_site_cookies.unwrap_or(true),
            api_key,
            auto_redirect: input.auto_redirect.unwrap_or(false),
        })
    }

    /// `origin + path_prefix`: the base every API path is appended to.
    pub fn base_url(&self) -> String {
        format!("{}{}", self.origin, self.path_prefix)
    }

    /// Whether the host is served over plain `http:`.
    pub fn is_plain_http(&self) -> bool {
        self.origin.starts_with("http://")
    }

    /// The `credentials` mode for requests to this host from a page at `page_origin`.
    ///
    /// Cookie authentication: `same-origin` when the page is on the host's origin or
    /// `cross_site_cookies` is `false`, otherwise `include` (also when the page origin is
    /// unknown or unparsable). Every other authentication type: `omit`.
    pub fn credentials_mode(&self, page_origin: Option<&str>) -> Credentials {
        match self.auth {
            AuthType::Cookie => {
                if !self.cross_site_cookies {
                    return Credentials::SameOrigin;
                }
                let same = page_origin.and_then(parse_origin).is_some_and(|p| p.origin() == self.origin);
                if same {
                    Credentials::SameOrigin
                } else {
                    Credentials::Include
                }
            }
            AuthType::ApiKey | AuthType::OAuth2 | AuthType::None => Credentials::Omit,
        }
    }
}

/// Whether `value` can be sent as a bearer token or plain header value: non-empty, visible
/// ASCII only (no whitespace, control or non-ASCII characters).
pub fn is_header_token(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_graphic())
}

/// Whether a normalized host name (lower-case, IPv6 in brackets, no port) is loopback:
/// `localhost`, `*.localhost`, a dotted-quad address in `127.0.0.0/8` or `[::1]`.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<Ipv6Addr>().is_ok_and(|a| a.is_loopback());
    }
    host.parse::<Ipv4Addr>().is_ok_and(|a| a.is_loopback())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    Http,
    Https,
}

/// A parsed, normalized host URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Base {
    pub scheme: Scheme,
    /// Lower-case name, dotted quad or bracketed IPv6 literal.
    pub host: String,
    /// A non-default port.
    pub port: Option<u16>,
    pub path_prefix: String,
}

impl Base {
    pub fn origin(&self) -> String {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        match self.port {
            Some(p) => format!("{scheme}://{}:{p}", self.host),
            Option::None => format!("{scheme}://{}", self.host),
        }
    }
}

/// Longest echo of user input in an error message, in characters.
const ECHO_MAX_CHARS: usize = 100;

fn shorten(s: &str) -> String {
    if s.chars().count() <= ECHO_MAX_CHARS {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(ECHO_MAX_CHARS).collect();
        out.push('…');
        out
    }
}

/// Splits `s` before the first character matching `pred`; `(s, "")` when none does.
fn split_before(s: &str, pred: impl Fn(char) -> bool) -> (&str, &str) {
    match s.char_indices().find(|&(_, c)| pred(c)) {
        Some((i, _)) => s.split_at_checked(i).unwrap_or((s, "")),
        Option::None => (s, ""),
    }
}

/// Splits `scheme://rest` when the part before `://` is a syntactically valid scheme.
fn split_scheme(input: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = input.split_once("://")?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    let valid = first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some((scheme, rest))
}

/// Why [`parse_authority`] rejected its input.
enum AuthorityError {
    /// A scheme other than `http` or `https`.
    Scheme(String),
    /// Anything else, with the reason.
    Other(String),
}

impl From<String> for AuthorityError {
    fn from(reason: String) -> AuthorityError {
        AuthorityError::Other(reason)
    }
}

impl From<&str> for AuthorityError {
    fn from(reason: &str) -> AuthorityError {
        AuthorityError::Other(reason.to_string())
    }
}

/// The scheme, normalized authority and the rest (`/path?query#fragment`) of `input`.
/// `default_https` decides whether a missing scheme means `https` or is an error.
fn parse_authority(input: &str, default_https: bool) -> Result<(Scheme, String, Option<u16>, &str), AuthorityError> {
    if input.contains('\\') {
        return Err("contains a backslash".into());
    }
    let (scheme, rest) = match split_scheme(input) {
        Some((s, rest)) => {
            let scheme = match s.to_ascii_lowercase().as_str() {
                "https" => Scheme::Https,
                "http" => Scheme::Http,
                _ => return Err(AuthorityError::Scheme(shorten(s))),
            };
            (scheme, rest)
        }
        Option::None if default_https => (Scheme::Https, input),
        Option::None => return Err("no scheme".into()),
    };
    let (authority, tail) = split_before(rest, |c| matches!(c, '/' | '?' | '#'));
    if authority.contains('@') {
        return Err("user info (`user:password@`) is not allowed in the host".into());
    }
    let (host, port) = if let Some(after_bracket) = authority.strip_prefix('[') {
        let Some((inner, after)) = after_bracket.split_once(']') else {
            return Err("unterminated IPv6 literal".into());
        };
        let addr: Ipv6Addr = inner.parse().map_err(|_| AuthorityError::from("invalid IPv6 literal"))?;
        let port = match after {
            "" => Option::None,
            p => Some(p.strip_prefix(':').ok_or(AuthorityError::from("unexpected text after the IPv6 literal"))?),
        };
        (format!("[{addr}]"), port)
    } else {
        let (name, port) = match authority.split_once(':') {
            Some((n, p)) => (n, Some(p)),
            Option::None => (authority, Option::None),
        };
        if name.is_empty() {
            return Err("the host name is empty".into());
        }
        if !name.is_ascii() {
            return Err("non-ASCII host names must be given in punycode (xn--...) form".into());
        }
        if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')) {
            return Err("the host name contains characters other than letters, digits, '-', '.' and '_'".into());
        }
        (name.to_ascii_lowercase(), port)
    };
    let port = match port {
        Option::None | Some("") => Option::None,
        Some(p) => {
            if !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err("the port is not a number".into());
            }
            let n: u16 = p.parse().map_err(|_| AuthorityError::from("the port is larger than 65535"))?;
            match (scheme, n) {
                (Scheme::Https, 443) | (Scheme::Http, 80) => Option::None,
                _ => Some(n),
            }
        }
    };
    Ok((scheme, host, port, tail))
}

/// Whether `segment` is a `.` or `..` path segment, percent-encoded dots included (as the
/// WHATWG URL parser treats them).
pub(crate) fn is_dot_segment(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    let decoded = lower.replace("%2e", ".");
    decoded == "." || decoded == ".."
}

fn valid_path_prefix(path: &str) -> Result<(), String> {
    let bytes = path.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let ok = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
                    | b'/'
            );
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(|h| h.is_ascii_hexdigit());
            if !(hex(i + 1) && hex(i + 2)) {
                return Err("the path has a '%' that is not a percent-escape".into());
            }
            i += 3;
            continue;
        }
        if !ok {
            return Err("the path contains characters that must be percent-encoded".into());
        }
        i += 1;
    }
    if path.split('/').any(is_dot_segment) {
        return Err("the path contains a '.' or '..' segment".into());
    }
    Ok(())
}

/// Parses a configured host (see the module documentation).
pub(crate) fn parse_host(input: &str) -> Result<Base, ConfigError> {
    let invalid = |reason: String| {
        if input.contains('@') {
            ConfigError::InvalidHost { value: "<redacted: contains user info>".into(), reason }
        } else {
            ConfigError::InvalidHost { value: shorten(input), reason }
        }
    };
    let (scheme, host, port, tail) = parse_authority(input, true).map_err(|e| match e {
        AuthorityError::Scheme(scheme) => ConfigError::UnsupportedScheme { scheme },
        AuthorityError::Other(reason) => invalid(reason),
    })?;
    if tail.contains('?') || tail.contains('#') {
        return Err(invalid("a query or fragment is not allowed in the host".into()));
    }
    let path_prefix = tail.trim_end_matches('/');
    valid_path_prefix(path_prefix).map_err(invalid)?;
    Ok(Base { scheme, host, port, path_prefix: path_prefix.to_string() })
}

/// Parses a page origin (`location.origin`, or a full page URL whose path is ignored).
/// `None` for opaque origins (`null`), missing or non-http(s) schemes and malformed hosts.
pub(crate) fn parse_origin(input: &str) -> Option<Base> {
    let (scheme, host, port, _) = parse_authority(input.trim(), false).ok()?;
    Some(Base { scheme, host, port, path_prefix: String::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(host: &str) -> HostConfigInput {
        HostConfigInput { host: Some(host.to_string()), ..Default::default() }
    }

    fn with_auth(host: &str, auth: &str) -> HostConfigInput {
        HostConfigInput {
            host: Some(host.to_string()),
            auth_type: Some(auth.to_string()),
            api_key: Some("key".into()),
            has_access_token_fn: true,
            ..Default::default()
        }
    }

    fn origin_of(host: &str) -> Result<(String, String), ConfigError> {
        HostConfig::from_input(input(host), None).map(|c| (c.origin, c.path_prefix))
    }

    #[test]
    fn host_normalization_table() {
        let table: &[(&str, &str, &str)] = &[
            ("tenant.eu.qlikcloud.com", "https://tenant.eu.qlikcloud.com", ""),
            ("tenant.eu.qlikcloud.com/", "https://tenant.eu.qlikcloud.com", ""),
            ("https://tenant.eu.qlikcloud.com", "https://tenant.eu.qlikcloud.com", ""),
            ("https://tenant.eu.qlikcloud.com///", "https://tenant.eu.qlikcloud.com", ""),
            ("  https://tenant.eu.qlikcloud.com/ \n", "https://tenant.eu.qlikcloud.com", ""),
            ("HTTPS://Tenant.EU.QlikCloud.com", "https://tenant.eu.qlikcloud.com", ""),
            ("https://tenant.eu.qlikcloud.com:443/", "https://tenant.eu.qlikcloud.com", ""),
            ("https://tenant.eu.qlikcloud.com:8443", "https://tenant.eu.qlikcloud.com:8443", ""),
            ("https://tenant.eu.qlikcloud.com:", "https://tenant.eu.qlikcloud.com", ""),
            ("localhost:8080", "https://localhost:8080", ""),
            ("http://localhost:80", "http://localhost", ""),
            ("http://localhost:8080/", "http://localhost:8080", ""),
            ("https://[0:0:0:0:0:0:0:1]:3000", "https://[::1]:3000", ""),
            ("[::1]", "https://[::1]", ""),
            ("https://proxy.example.com/qlik/", "https://proxy.example.com", "/qlik"),
            ("proxy.example.com/a/b//", "https://proxy.example.com", "/a/b"),
            ("https://proxy.example.com/a%20b", "https://proxy.example.com", "/a%20b"),
            ("https://under_score.example.com", "https://under_score.example.com", ""),
        ];
        for (raw, origin, prefix) in table {
            assert_eq!(origin_of(raw), Ok((origin.to_string(), prefix.to_string())), "{raw:?}");
        }
    }

    #[test]
    fn host_rejections() {
        let bad = [
            "ftp://tenant.example.com",
            "ws://tenant.example.com",
            "https://",
            "https:///path",
            "https://user:pass@tenant.example.com",
            "https://tenant.example.com?x=1",
            "https://tenant.example.com/#frag",
            "https://tenant.example.com:99999",
            "https://tenant.example.com:-1",
            "https://tenant.example.com:+80",
            "https://tenant.example.com:8o",
            "https://tén.example.com",
            "https://te nant.example.com",
            "https://evil.com\\@good.com",
            "https://[::1",
            "https://[::1]x",
            "https://[not-v6]",
            "https://a:1:2",
            "https://tenant.example.com/a/../b",
            "https://tenant.example.com/%2e%2E/b",
            "https://tenant.example.com/a b",
            "https://tenant.example.com/a%zz",
            "https://tenant.example.com/ä",
        ];
        for raw in bad {
            let err = HostConfig::from_input(input(raw), None).expect_err(raw);
            assert_eq!(err.field(), "host", "{raw:?}: {err}");
            assert!(err.to_string().starts_with("host: "), "{raw:?}: {err}");
        }
        assert_eq!(
            HostConfig::from_input(input("ftp://x.example.com"), None),
            Err(ConfigError::UnsupportedScheme { scheme: "ftp".into() })
        );
        let err = HostConfig::from_input(input("https://user:secret@tenant.example.com"), None).unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }

    #[test]
    fn host_defaults_to_page_origin() {
        for host in [None, Some(""), Some("   ")] {
            let i = HostConfigInput { host: host.map(String::from), ..Default::default() };
            let c = HostConfig::from_input(i.clone(), Some("https://app.example.com")).unwrap();
            assert_eq!(c.origin, "https://app.example.com");
            assert_eq!(c.path_prefix, "");
            assert_eq!(HostConfig::from_input(i.clone(), None), Err(ConfigError::MissingHost));
            let err = HostConfig::from_input(i.clone(), Some("null")).unwrap_err();
            assert!(matches!(err, ConfigError::InvalidPageOrigin { .. }), "{err:?}");
            assert_eq!(err.field(), "host");
            assert!(HostConfig::from_input(i, Some("file:///x")).is_err());
        }
        let i = HostConfigInput::default();
        let c = HostConfig::from_input(i.clone(), Some("http://localhost:5173")).unwrap();
        assert_eq!(c.origin, "http://localhost:5173");
        assert!(matches!(
            HostConfig::from_input(i, Some("http://intranet.example.com")),
            Err(ConfigError::InsecureTransport { .. })
        ));
    }

    #[test]
    fn loopback_rule() {
        for host in ["localhost", "app.localhost", "127.0.0.1", "127.1.2.3", "127.255.255.255", "[::1]", "LOCALHOST"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "evil.com",
            "localhost.evil.com",
            "127.0.0.1.evil.com",
            "128.0.0.1",
            "0.0.0.0",
            "[::2]",
            "10.0.0.1",
            "127.1",
            "127.000.000.001",
            "notlocalhost",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
        for auth in ["cookie", "apikey", "oauth2", "none"] {
            for host in [
                "http://localhost",
                "http://localhost:8080",
                "http://127.1.2.3",
                "http://[::1]:3000",
                "http://dev.localhost",
            ] {
                let c = HostConfig::from_input(with_auth(host, auth), None);
                assert!(c.is_ok(), "{auth} {host}: {c:?}");
                assert!(c.unwrap().is_plain_http());
            }
        }
        for auth in ["cookie", "apikey", "oauth2"] {
            for host in ["http://evil.com", "http://10.0.0.1", "http://127.0.0.1.evil.com", "http://[::2]"] {
                let err = HostConfig::from_input(with_auth(host, auth), None).unwrap_err();
                assert!(matches!(err, ConfigError::InsecureTransport { .. }), "{auth} {host}: {err:?}");
                assert_eq!(err.field(), "host");
                assert!(err.to_string().contains("plain http"), "{err}");
            }
        }
        let c = HostConfig::from_input(with_auth("http://evil.com", "none"), None).unwrap();
        assert_eq!(c.origin, "http://evil.com");
        assert_eq!(c.auth, AuthType::None);
        let err = HostConfig::from_input(
            HostConfigInput { host: Some("http://evil.com".into()), ..Default::default() },
            None,
        )
        .unwrap_err();
        assert!(matches!(err, ConfigError::InsecureTransport { auth: AuthType::Cookie, .. }));
    }

    #[test]
    fn auth_type_parsing() {
        assert_eq!(AuthType::parse(None), Ok(AuthType::Cookie));
        assert_eq!(AuthType::parse(Some("cookie")), Ok(AuthType::Cookie));
        assert_eq!(AuthType::parse(Some("apikey")), Ok(AuthType::ApiKey));
        assert_eq!(AuthType::parse(Some("oauth2")), Ok(AuthType::OAuth2));
        assert_eq!(AuthType::parse(Some("none")), Ok(AuthType::None));
        for bad in ["", "apiKey", "Cookie", "oauth", "windowscookie", "anonymous", " none"] {
            let err = AuthType::parse(Some(bad)).unwrap_err();
            assert_eq!(err.field(), "authType");
            assert!(err.to_string().starts_with("authType: "));
        }
        for a in [AuthType::Cookie, AuthType::ApiKey, AuthType::OAuth2, AuthType::None] {
            assert_eq!(AuthType::parse(Some(a.as_str())), Ok(a));
        }
    }

    #[test]
    fn auth_requirements() {
        let base = |auth: &str| HostConfigInput {
            host: Some("tenant.example.com".into()),
            auth_type: Some(auth.into()),
            ..Default::default()
        };
        assert_eq!(HostConfig::from_input(base("apikey"), None), Err(ConfigError::MissingApiKey));
        let mut i = base("apikey");
        i.api_key = Some("   ".into());
        assert_eq!(HostConfig::from_input(i.clone(), None), Err(ConfigError::MissingApiKey));
        i.api_key = Some("abc def".into());
        assert_eq!(HostConfig::from_input(i.clone(), None), Err(ConfigError::InvalidApiKey));
        i.api_key = Some("abc\r\nx: y".into());
        assert_eq!(HostConfig::from_input(i.clone(), None), Err(ConfigError::InvalidApiKey));
        i.api_key = Some(" eyJhbGciOi.abc-_/+=.sig \n".into());
        let c = HostConfig::from_input(i, None).unwrap();
        assert_eq!(c.api_key.as_deref(), Some("eyJhbGciOi.abc-_/+=.sig"));
        assert!(!format!("{c:?}").contains("eyJ"));

        assert_eq!(HostConfig::from_input(base("oauth2"), None), Err(ConfigError::MissingAccessTokenFn));
        let mut i = base("oauth2");
        i.has_access_token_fn = true;
        assert_eq!(HostConfig::from_input(i, None).unwrap().auth, AuthType::OAuth2);

        let mut i = base("cookie");
        i.api_key = Some("stray".into());
        assert_eq!(HostConfig::from_input(i, None).unwrap().api_key, None);

        for e in [ConfigError::MissingApiKey, ConfigError::InvalidApiKey] {
            assert_eq!(e.field(), "apiKey");
            assert!(e.to_string().starts_with("apiKey: "));
        }
        assert_eq!(ConfigError::MissingAccessTokenFn.field(), "getAccessToken");
        assert!(ConfigError::MissingAccessTokenFn.to_string().starts_with("getAccessToken: "));
    }

    #[test]
    fn defaults_and_web_integration_id() {
        let c = HostConfig::from_input(input("tenant.example.com"), None).unwrap();
        assert_eq!(c.auth, AuthType::Cookie);
        assert!(c.cross_site_cookies);
        assert!(!c.auto_redirect);
        assert_eq!(c.web_integration_id, None);
        assert_eq!(c.base_url(), "https://tenant.example.com");

        let mut i = input("tenant.example.com");
        i.web_integration_id = Some(" abc123 ".into());
        i.cross_site_cookies = Some(false);
        i.auto_redirect = Some(true);
        let c = HostConfig::from_input(i.clone(), None).unwrap();
        assert_eq!(c.web_integration_id.as_deref(), Some("abc123"));
        assert!(!c.cross_site_cookies);
        assert!(c.auto_redirect);

        i.web_integration_id = Some("".into());
        assert_eq!(HostConfig::from_input(i.clone(), None).unwrap().web_integration_id, None);
        i.web_integration_id = Some("a\nb".into());
        let err = HostConfig::from_input(i, None).unwrap_err();
        assert_eq!(err, ConfigError::InvalidWebIntegrationId);
        assert_eq!(err.field(), "webIntegrationId");
    }

    #[test]
    fn credentials_modes() {
        let cookie = HostConfig::from_input(input("https://tenant.example.com"), None).unwrap();
        assert_eq!(cookie.credentials_mode(Some("https://app.example.com")), Credentials::Include);
        assert_eq!(cookie.credentials_mode(Some("http://tenant.example.com")), Credentials::Include);
        assert_eq!(cookie.credentials_mode(Some("https://tenant.example.com:8443")), Credentials::Include);
        assert_eq!(cookie.credentials_mode(None), Credentials::Include);
        assert_eq!(cookie.credentials_mode(Some("null")), Credentials::Include);
        assert_eq!(cookie.credentials_mode(Some("https://tenant.example.com")), Credentials::SameOrigin);
        assert_eq!(cookie.credentials_mode(Some("https://Tenant.Example.com:443")), Credentials::SameOrigin);
        assert_eq!(cookie.credentials_mode(Some("https://tenant.example.com/some/page?q=1")), Credentials::SameOrigin);

        let mut i = input("https://tenant.example.com");
        i.cross_site_cookies = Some(false);
        let strict = HostConfig::from_input(i, None).unwrap();
        assert_eq!(strict.credentials_mode(Some("https://app.example.com")), Credentials::SameOrigin);
        assert_eq!(strict.credentials_mode(None), Credentials::SameOrigin);

        for auth in ["apikey", "oauth2", "none"] {
            let c = HostConfig::from_input(with_auth("https://tenant.example.com", auth), None).unwrap();
            assert_eq!(c.credentials_mode(Some("https://app.example.com")), Credentials::Omit, "{auth}");
            assert_eq!(c.credentials_mode(Some("https://tenant.example.com")), Credentials::Omit, "{auth}");
        }
        assert_eq!(Credentials::Include.as_str(), "include");
        assert_eq!(Credentials::SameOrigin.as_str(), "same-origin");
        assert_eq!(Credentials::Omit.as_str(), "omit");
    }

    #[test]
    fn long_inputs_are_shortened_in_messages() {
        let long = format!("ftp{}", "x".repeat(5000));
        let err = AuthType::parse(Some(&long)).unwrap_err();
        assert!(err.to_string().len() < 400);
    }
}
