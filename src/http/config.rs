//! The host configuration: where requests go (the tenant's origin, a path prefix) and how they
//! authenticate, validated once when a client is made; the URLs of every request.
//!
//! No host (absent, empty or blank) means the page origin, which must then be an `http(s)`
//! origin (not `null`). A configured host is normalized as [`super::url`] describes.
//!
//! # Transport security
//!
//! Cookie, API-key and OAuth2 authentication over plain `http:` are refused unless the host
//! is loopback: `localhost`, `*.localhost`, `127.0.0.0/8` in dotted-quad form, or `[::1]`.
//! Authentication type `none` may use any `http:` host. The rule applies equally when the host
//! defaults to the page origin.

use crate::prelude::*;
use core::fmt;

use super::auth::{Auth, AuthError, AuthInput, AuthType, Credentials};
use super::auth_type::{field_in_other_case, known_field};
use super::endpoint::Endpoint;
use super::text::{quoted, split_once_byte};
use super::url::{encode_uri_component, is_dot_segment, is_loopback_host, parse_host, parse_origin, shorten};
use super::url::{HostError, Scheme};

/// The path of the API collection, after the host's base URL.
const API_PATH: &str = "/api/v1/automl-predictions";

/// The path of the CSRF token endpoint, after the host's base URL.
const CSRF_PATH: &str = "/api/v1/csrf-token";

/// This client's own options, read beside the host config (src/wasm/arguments.rs).
pub const CLIENT_OPTIONS: [&str; 3] = ["retries", "rateLimit", "timeoutMs"];

/// A rejected configuration or request argument. [`ConfigError::field`] names the offending
/// option as JavaScript callers spell it, and the message starts with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// No host was given and there is no page origin to default to.
    MissingHost,
    /// No host was given and the page origin is not an `http(s)` origin.
    InvalidPageOrigin { value: String },
    /// The configured host cannot be used.
    Host(HostError),
    /// Credentials would travel over plain `http:` to a host that is not loopback.
    InsecureTransport { origin: String, auth: AuthType },
    /// A rejected authentication setting.
    Auth(AuthError),
    /// The prediction ID is empty or cannot be used as one URL path segment.
    InvalidPredictionId { reason: &'static str },
}

impl ConfigError {
    /// The option at fault, as JavaScript callers spell it.
    pub fn field(&self) -> &'static str {
        match self {
            ConfigError::MissingHost
            | ConfigError::InvalidPageOrigin { .. }
            | ConfigError::Host(_)
            | ConfigError::InsecureTransport { .. } => "host",
            ConfigError::Auth(e) => e.field(),
            ConfigError::InvalidPredictionId { .. } => "predictionId",
        }
    }

    /// `<field>: <what is wrong>`.
    pub fn message(&self) -> String {
        let mut out = [self.field(), ": "].concat();
        let text = match self {
            ConfigError::MissingHost => {
                "no host is configured and there is no page origin to default to; \
                 set `host`, e.g. \"tenant.eu.qlikcloud.com\""
            }
            ConfigError::InvalidPageOrigin { value } => {
                out.push_str("no host is configured and the page origin ");
                out.push_str(&quoted(value));
                " is not an http(s) origin; set `host`, e.g. \"tenant.eu.qlikcloud.com\""
            }
            ConfigError::Host(e) => return out + &e.message(),
            ConfigError::InsecureTransport { origin, auth } => {
                for part in
                    ["refusing to send credentials (authType \"", auth.as_str(), "\") over plain http to ", origin]
                {
                    out.push_str(part);
                }
                "; use https://, or a loopback host (localhost, 127.0.0.1, [::1]) for local development"
            }
            ConfigError::Auth(e) => return out + &e.message(),
            ConfigError::InvalidPredictionId { reason } => reason,
        };
        out.push_str(text);
        out
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for ConfigError {}

impl From<AuthError> for ConfigError {
    fn from(e: AuthError) -> ConfigError {
        ConfigError::Auth(e)
    }
}

impl From<HostError> for ConfigError {
    fn from(e: HostError) -> ConfigError {
        ConfigError::Host(e)
    }
}

/// The host configuration as read from a JavaScript object, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostConfigInput {
    pub host: Option<String>,
    pub auth: AuthInput,
    pub auto_redirect: Option<bool>,
    /// The object's own field names (`Object.keys`), for [`HostConfig::unknown_fields`].
    pub fields: Vec<String>,
}

/// A validated host configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostConfig {
    /// `scheme://host[:port]`, normalized.
    origin: String,
    /// A path kept from the configured host, without a trailing slash (`""` for plain hosts,
    /// otherwise starting with `/`). Every URL is `origin + path_prefix + "/api/..."`.
    path_prefix: String,
    auth: Auth,
    auto_redirect: bool,
    unknown_fields: Vec<String>,
}

impl HostConfig {
    /// Validates `input`. `page_origin` is the page's `location.origin`, used when no host is
    /// given.
    pub fn from_input(input: HostConfigInput, page_origin: Option<&str>) -> Result<HostConfig, ConfigError> {
        let auth = Auth::from_input(input.auth)?;
        let host = input.host.as_deref().map(str::trim).filter(|h| !h.is_empty());
        let base = match host {
            Some(h) => parse_host(h)?,
            None => {
                let page = page_origin.ok_or(ConfigError::MissingHost)?;
                parse_origin(page).ok_or_else(|| ConfigError::InvalidPageOrigin { value: shorten(page) })?
            }
        };
        if auth.kind().sends_credentials() && base.scheme == Scheme::Http && !is_loopback_host(&base.host) {
            return Err(ConfigError::InsecureTransport { origin: base.origin(), auth: auth.kind() });
        }
        let unknown_fields = input
            .fields
            .into_iter()
            .filter(|f| !known_field(auth.module(), f) && !CLIENT_OPTIONS.contains(&f.as_str()))
            .collect();
        Ok(HostConfig {
            origin: base.origin(),
            path_prefix: base.path_prefix,
            auth,
            auto_redirect: input.auto_redirect.unwrap_or(false),
            unknown_fields,
        })
    }

    /// The fields of the configuration that its authentication type does not know (see the
    /// `auth` module) and that are none of this client's own options: a misspelt field, or
    /// one of another authentication type (`apiKey` with a cookie session). They are not used.
    pub fn unknown_fields(&self) -> &[String] {
        &self.unknown_fields
    }

    /// The warning about [`HostConfig::unknown_fields`], when there are any: each named, with
    /// the field it spells in another case when there is one.
    pub fn unknown_fields_warning(&self) -> Option<String> {
        if self.unknown_fields.is_empty() {
            return None;
        }
        let mut warning = String::from("qlik-automl-predictions: unknown field");
        if self.unknown_fields.len() > 1 {
            warning.push('s');
        }
        warning.push_str(" in the host config, not used with authType \"");
        warning.push_str(self.auth.module());
        warning.push_str("\": ");
        for (i, field) in self.unknown_fields.iter().enumerate() {
            if i > 0 {
                warning.push_str(", ");
            }
            warning.push('`');
            warning.push_str(&shorten(field));
            warning.push('`');
            if let Some(known) = field_in_other_case(field) {
                warning.push_str(" (did you mean `");
                warning.push_str(known);
                warning.push_str("`?)");
            }
        }
        Some(warning)
    }

    /// The normalized origin requests go to.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// How requests authenticate.
    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// Whether a 401 should send the page to the login URL (default `false`).
    pub fn auto_redirect(&self) -> bool {
        self.auto_redirect
    }

    /// `origin + path_prefix`: the base every path is appended to (the configured host with a
    /// path prefix kept, e.g. `https://proxy.example.com/qlik`).
    pub fn base_url(&self) -> String {
        [self.origin.as_str(), &self.path_prefix].concat()
    }

    /// `{base}/api/v1/automl-predictions/{predictionId}/{segment}[?refId=...]`.
    ///
    /// `prediction_id` is encoded as one path segment; it must not be empty, `.` or `..`
    /// (which a URL parser would resolve as a relative path even when percent-encoded).
    /// `ref_id` is added only for dataset endpoints, and only when not empty.
    pub fn url(&self, endpoint: Endpoint, prediction_id: &str, ref_id: Option<&str>) -> Result<String, ConfigError> {
        if prediction_id.is_empty() {
            return Err(ConfigError::InvalidPredictionId { reason: "must not be empty" });
        }
        if is_dot_segment(prediction_id) {
            return Err(ConfigError::InvalidPredictionId { reason: "must not be \".\" or \"..\"" });
        }
        let base = self.base_url();
        let id = encode_uri_component(prediction_id);
        let mut url = [base.as_str(), API_PATH, "/", &id, "/", endpoint.path_segment()].concat();
        if endpoint.accepts_ref_id() {
            if let Some(r) = ref_id.filter(|r| !r.is_empty()) {
                url.push_str("?refId=");
                url.push_str(&encode_uri_component(r));
            }
        }
        Ok(url)
    }

    /// `{base}/api/v1/csrf-token`.
    #[inline(never)]
    pub fn csrf_url(&self) -> String {
        self.base_url() + CSRF_PATH
    }

    /// The `credentials` mode of requests from a page at `page_origin` (unknown or unparsable
    /// counts as another origin); see [`Auth::credentials`].
    pub fn credentials_mode(&self, page_origin: Option<&str>) -> Credentials {
        let same = page_origin.and_then(parse_origin).is_some_and(|p| p.origin() == self.origin);
        self.auth.credentials(same)
    }

    /// Whether `url` (a response's final URL, as the browser normalizes it) is on the host's
    /// origin.
    pub fn is_own_url(&self, url: &str) -> bool {
        let rest = url.strip_prefix(self.origin.as_str());
        rest.is_some_and(|rest| matches!(rest.bytes().next(), None | Some(b'/' | b'?' | b'#')))
    }

    /// The login page that returns to `return_to`:
    /// `{base}/login?qlik-web-integration-id={id}&returnto={return_to}`, without the ID
    /// parameter when no web integration ID is configured. Both values are percent-encoded.
    /// The fragment of `return_to` is dropped: it may hold a secret (`#access_token=…`) and
    /// never reaches a server otherwise.
    pub fn login_url(&self, return_to: &str) -> String {
        let return_to = split_once_byte(return_to, b'#').map_or(return_to, |(before, _)| before);
        let mut url = self.base_url() + "/login?";
        if let Some(id) = self.auth.web_integration_id() {
            url.push_str("qlik-web-integration-id=");
            url.push_str(&encode_uri_component(id));
            url.push('&');
        }
        url.push_str("returnto=");
        url.push_str(&encode_uri_component(return_to));
        url
    }
}

#[cfg(test)]
mod tests {
    use super::super::endpoint::Dataset;
    use super::*;

    fn input(host: &str, auth: &str, wid: Option<&str>) -> HostConfigInput {
        HostConfigInput {
            host: Some(host.into()),
            auth: AuthInput {
                auth_type: Some(auth.into()),
                web_integration_id: wid.map(String::from),
                api_key: Some("the-key".into()),
                has_access_token_fn: true,
                ..AuthInput::default()
            },
            ..HostConfigInput::default()
        }
    }

    fn config(host: &str, auth: &str, wid: Option<&str>) -> HostConfig {
        HostConfig::from_input(input(host, auth, wid), None).unwrap()
    }

    #[test]
    fn every_error_names_its_field_first() {
        let cases: Vec<(HostConfigInput, Option<&str>, &str)> = vec![
            (input("ftp://x.example.com", "none", None), None, "host"),
            (input("https://a b", "none", None), None, "host"),
            (input("http://evil.com", "apikey", None), None, "host"),
            (HostConfigInput::default(), None, "host"),
            (HostConfigInput::default(), Some("null"), "host"),
            (input("t.example.com", "bogus", None), None, "authType"),
            (
                HostConfigInput {
                    auth: AuthInput { auth_type: Some("apikey".into()), ..AuthInput::default() },
                    ..input("t.example.com", "x", None)
                },
                None,
                "apiKey",
            ),
            (
                HostConfigInput {
                    auth: AuthInput { auth_type: Some("oauth2".into()), ..AuthInput::default() },
                    ..input("t.example.com", "x", None)
                },
                None,
                "getAccessToken",
            ),
            (input("t.example.com", "cookie", Some("a b")), None, "webIntegrationId"),
        ];
        for (i, page, field) in cases {
            let err = HostConfig::from_input(i.clone(), page).unwrap_err();
            assert_eq!(err.field(), field, "{i:?}");
            assert!(err.to_string().starts_with(&format!("{field}: ")), "{err}");
        }
        let c = config("t.example.com", "cookie", None);
        for bad in ["", ".", "..", "%2e", "%2E%2e", ".%2E"] {
            let err = c.url(Endpoint::Jobs, bad, None).unwrap_err();
            assert_eq!(err.field(), "predictionId", "{bad:?}");
            assert!(err.to_string().starts_with("predictionId: "));
        }
        assert!(c.url(Endpoint::Jobs, "...", None).unwrap().ends_with("/.../jobs"));
        assert!(c.url(Endpoint::Jobs, "%", None).unwrap().ends_with("/%25/jobs"));
        let err = HostConfig::from_input(input("https://user:secret@t.example.com", "none", None), None).unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }

    #[test]
    fn host_defaults_to_page_origin() {
        for host in [None, Some(""), Some("   ")] {
            let i = HostConfigInput { host: host.map(String::from), ..HostConfigInput::default() };
            let c = HostConfig::from_input(i.clone(), Some("https://app.example.com")).unwrap();
            assert_eq!(c.origin(), "https://app.example.com");
            assert_eq!(c.csrf_url(), "https://app.example.com/api/v1/csrf-token");
            assert_eq!(HostConfig::from_input(i.clone(), None), Err(ConfigError::MissingHost));
            let err = HostConfig::from_input(i.clone(), Some("null")).unwrap_err();
            assert!(matches!(err, ConfigError::InvalidPageOrigin { .. }), "{err:?}");
            assert!(HostConfig::from_input(i, Some("file:///x")).is_err());
        }
        let i = HostConfigInput::default();
        let c = HostConfig::from_input(i.clone(), Some("http://localhost:5173")).unwrap();
        assert_eq!(c.origin(), "http://localhost:5173");
        assert!(matches!(
            HostConfig::from_input(i, Some("http://intranet.example.com")),
            Err(ConfigError::InsecureTransport { .. })
        ));
    }

    #[test]
    fn credentials_never_travel_over_plain_http_except_to_loopback() {
        for auth in ["cookie", "apikey", "oauth2", "none"] {
            for host in [
                "http://localhost",
                "http://localhost:8080",
                "http://127.1.2.3",
                "http://[::1]:3000",
                "http://dev.localhost",
            ] {
                let c = HostConfig::from_input(input(host, auth, None), None);
                assert!(c.is_ok_and(|c| c.origin().starts_with("http://")), "{auth} {host}");
            }
        }
        for auth in ["cookie", "apikey", "oauth2"] {
            for host in ["http://evil.com", "http://10.0.0.1", "http://127.0.0.1.evil.com", "http://[::2]"] {
                let err = HostConfig::from_input(input(host, auth, None), None).unwrap_err();
                assert!(matches!(err, ConfigError::InsecureTransport { .. }), "{auth} {host}: {err:?}");
                assert!(err.to_string().contains("plain http"), "{err}");
            }
        }
        assert_eq!(config("http://evil.com", "none", None).origin(), "http://evil.com");
        let default_auth = HostConfigInput { host: Some("http://evil.com".into()), ..HostConfigInput::default() };
        let err = HostConfig::from_input(default_auth, None).unwrap_err();
        assert!(matches!(err, ConfigError::InsecureTransport { auth: AuthType::Cookie, .. }));
    }

    #[test]
    fn unknown_fields_are_those_the_auth_type_does_not_know() {
        let with_fields = |auth: AuthInput, fields: &[&str]| {
            let i = HostConfigInput {
                host: Some("t.example.com".into()),
                auth,
                fields: fields.iter().map(|f| f.to_string()).collect(),
                ..HostConfigInput::default()
            };
            HostConfig::from_input(i, None).unwrap()
        };
        let common =
            ["host", "authType", "autoRedirect", "embedRuntimeUrl", "onAuthFailed", "authRedirectUserConfirmation"];
        let own = ["retries", "rateLimit", "timeoutMs"];
        let cookie = ["webIntegrationId", "crossSiteCookies", "anonymousMode"];
        let all: Vec<&str> = common.iter().chain(&own).chain(&cookie).copied().collect();
        let c = with_fields(AuthInput::default(), &all);
        assert!(c.unknown_fields().is_empty() && c.unknown_fields_warning().is_none());

        let c = with_fields(AuthInput::default(), &["host", "webintegrationId", "apiKey", "getAccessToken"]);
        assert_eq!(c.unknown_fields(), ["webintegrationId", "apiKey", "getAccessToken"]);
        assert_eq!(
            c.unknown_fields_warning().unwrap(),
            "qlik-automl-predictions: unknown fields in the host config, not used with authType \"cookie\": \
             `webintegrationId` (did you mean `webIntegrationId`?), `apiKey`, `getAccessToken`"
        );
        let key = AuthInput { api_key: Some("k".into()), ..AuthInput::default() };
        let c = with_fields(key, &["apiKey", "webIntegrationId", "crossSiteCookies", "retries"]);
        assert_eq!(c.unknown_fields(), ["webIntegrationId", "crossSiteCookies"]);
        let oauth = AuthInput { has_client_id: true, has_access_token_fn: true, ..AuthInput::default() };
        let c = with_fields(oauth, &["clientId", "getAccessToken", "scope", "accessTokenStorage", "apikey"]);
        assert_eq!(c.unknown_fields(), ["apikey"]);
        assert!(c.unknown_fields_warning().unwrap().contains(
            "field in the host config, not used with authType \"oauth2\": `apikey` (did you mean `apiKey`?)"
        ));
        let none = AuthInput { auth_type: Some("NoAuth".into()), ..AuthInput::default() };
        assert_eq!(with_fields(none, &["authType", "webIntegrationId"]).unknown_fields(), ["webIntegrationId"]);
    }

    #[test]
    fn the_base_url_keeps_a_path_prefix() {
        assert_eq!(
            config("https://proxy.example.com/qlik/", "none", None).base_url(),
            "https://proxy.example.com/qlik"
        );
        assert_eq!(config("Tenant.example.com///", "none", None).base_url(), "https://tenant.example.com");
    }

    #[test]
    fn dataset_and_jobs_urls() {
        let c = config("tenant.eu.qlikcloud.com", "cookie", None);
        assert!(!c.auto_redirect());
        assert_eq!(
            c.url(Endpoint::Dataset(Dataset::Predictions), "65f1c0ffee", None).unwrap(),
            "https://tenant.eu.qlikcloud.com/api/v1/automl-predictions/65f1c0ffee/predictions"
        );
        assert_eq!(
            c.url(Endpoint::Dataset(Dataset::CoordinateShap), "id", Some("ref 1&x=y")).unwrap(),
            "https://tenant.eu.qlikcloud.com/api/v1/automl-predictions/id/coordinate-shap?refId=ref%201%26x%3Dy"
        );
        assert_eq!(
            c.url(Endpoint::Dataset(Dataset::NotPredictedReasons), "a/b?c#d é", Some("")).unwrap(),
            "https://tenant.eu.qlikcloud.com/api/v1/automl-predictions/a%2Fb%3Fc%23d%20%C3%A9/not-predicted-reasons"
        );
        assert_eq!(
            c.url(Endpoint::Dataset(Dataset::Shap), "id", Some("é/?#")).unwrap(),
            "https://tenant.eu.qlikcloud.com/api/v1/automl-predictions/id/shap?refId=%C3%A9%2F%3F%23"
        );
        assert_eq!(
            c.url(Endpoint::Jobs, "id", Some("ignored")).unwrap(),
            "https://tenant.eu.qlikcloud.com/api/v1/automl-predictions/id/jobs"
        );
        let p = config("http://localhost:8080/qlik/", "none", None);
        assert_eq!(
            p.url(Endpoint::Dataset(Dataset::Source), "x", Some("r")).unwrap(),
            "http://localhost:8080/qlik/api/v1/automl-predictions/x/source?refId=r"
        );
        assert_eq!(p.csrf_url(), "http://localhost:8080/qlik/api/v1/csrf-token");
        assert_eq!(c.csrf_url(), "https://tenant.eu.qlikcloud.com/api/v1/csrf-token");
    }

    #[test]
    fn credentials_mode_compares_the_page_origin() {
        let cookie = config("https://tenant.example.com", "cookie", None);
        for other in [Some("https://app.example.com"), Some("http://tenant.example.com"), Some("null"), None] {
            assert_eq!(cookie.credentials_mode(other), Credentials::Include, "{other:?}");
        }
        for same in ["https://tenant.example.com", "https://Tenant.Example.com:443", "https://tenant.example.com/p?q=1"]
        {
            assert_eq!(cookie.credentials_mode(Some(same)), Credentials::SameOrigin, "{same}");
        }
        let key = config("https://tenant.example.com", "apikey", None);
        assert_eq!(key.credentials_mode(Some("https://tenant.example.com")), Credentials::Omit);
    }

    #[test]
    fn own_urls() {
        let c = config("tenant.example.com", "none", None);
        for own in
            ["https://tenant.example.com", "https://tenant.example.com/api/v1/x?y#z", "https://tenant.example.com?q"]
        {
            assert!(c.is_own_url(own), "{own}");
        }
        for other in [
            "https://tenant.example.com.evil.com/api",
            "https://tenant.example.com:8443/api",
            "http://tenant.example.com/api",
            "https://evil.com/https://tenant.example.com/",
            "",
        ] {
            assert!(!c.is_own_url(other), "{other}");
        }
    }

    #[test]
    fn login_urls() {
        let mut i = input("tenant.example.com", "cookie", Some("w&i/d"));
        i.auto_redirect = Some(true);
        let with_id = HostConfig::from_input(i, None).unwrap();
        assert!(with_id.auto_redirect());
        assert_eq!(
            with_id.login_url("https://app.example.com/page?x=1#access_token=secret"),
            "https://tenant.example.com/login?qlik-web-integration-id=w%26i%2Fd&returnto=https%3A%2F%2Fapp.example.com%2Fpage%3Fx%3D1"
        );
        assert_eq!(
            with_id.login_url("https://app.example.com/#"),
            "https://tenant.example.com/login?qlik-web-integration-id=w%26i%2Fd&returnto=https%3A%2F%2Fapp.example.com%2F"
        );
        let no_id = config("tenant.example.com", "cookie", None);
        assert_eq!(no_id.login_url("https://a.b/"), "https://tenant.example.com/login?returnto=https%3A%2F%2Fa.b%2F");
        assert_eq!(no_id.login_url(""), "https://tenant.example.com/login?returnto=");
    }
}
