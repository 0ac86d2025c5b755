//! Request URLs and headers.
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

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::config::{is_dot_segment, AuthType, ConfigError, HostConfig};
use super::endpoint::Endpoint;

/// The characters JavaScript's `encodeURIComponent` escapes: all but
/// `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Percent-encodes `s` as JavaScript's `encodeURIComponent` does (UTF-8, upper-case hex).
pub fn encode_uri_component(s: &str) -> String {
    utf8_percent_encode(s, URI_COMPONENT).to_string()
}

/// The path of the API collection, appended to [`HostConfig::base_url`].
pub const API_PATH: &str = "/api/v1/automl-predictions";

/// The path of the CSRF token endpoint, appended to [`HostConfig::base_url`].
pub const CSRF_PATH: &str = "/api/v1/csrf-token";

/// How a request treats a redirect answer (`RequestInit.redirect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redirects {
    /// `manual`: the browser does not follow and the call fails. For every POST and every
    /// request with credentials (a cookie session, an API key, a token): following would send
    /// the `qlik-web-integration-id`, `qlik-csrf-token` or `authorization` header, and on a
    /// 307/308 the POST itself, to the new origin.
    Refuse,
    /// `follow`: for a GET without credentials (`authType: 'none'`), which carries nothing to
    /// leak; the answer counts only when its final URL is on the host's origin
    /// ([`HostConfig::is_own_url`]), else the call fails.
    FollowWithinOrigin,
}

/// Whether `method` is safe (`GET` or `HEAD`, any case) and so needs no CSRF token.
fn is_safe_method(method: &str) -> bool {
    method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD")
}

impl HostConfig {
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
        let mut url = format!(
            "{}{API_PATH}/{}/{}",
            self.base_url(),
            encode_uri_component(prediction_id),
            endpoint.path_segment()
        );
        if endpoint.accepts_ref_id() {
            if let Some(r) = ref_id.filter(|r| !r.is_empty()) {
                url.push_str("?refId=");
                url.push_str(&encode_uri_component(r));
            }
        }
        Ok(url)
    }

    /// `{base}/api/v1/csrf-token`.
    pub fn csrf_url(&self) -> String {
        format!("{}{CSRF_PATH}", self.base_url())
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
        match self.auth {
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

    /// How a `method` request to the host treats a redirect; see [`Redirects`].
    pub fn redirects(&self, method: &str) -> Redirects {
        if self.auth == AuthType::None && method.eq_ignore_ascii_case("GET") {
            Redirects::FollowWithinOrigin
        } else {
            Redirects::Refuse
        }
    }

    /// Whether `url` (a response's final URL, as the browser normalizes it) is on the host's
    /// origin.
    pub fn is_own_url(&self, url: &str) -> bool {
        url.strip_prefix(self.origin.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
    }

    /// The login page that returns to `return_to`:
    /// `{base}/login?qlik-web-integration-id={id}&returnto={return_to}`, without the ID
    /// parameter when no web integration ID is configured. Both values are percent-encoded.
    /// The fragment of `return_to` is dropped: it may hold a secret (`#access_token=…`) and
    /// never reaches a server otherwise.
    pub fn login_url(&self, return_to: &str) -> String {
        let return_to = return_to.split_once('#').map_or(return_to, |(before, _)| before);
        let mut url = format!("{}/login?", self.base_url());
        if let Some(id) = &self.web_integration_id {
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
    use super::super::config::HostConfigInput;
    use super::super::endpoint::Dataset;
    use super::*;

    fn config(host: &str, auth: &str, wid: Option<&str>) -> HostConfig {
        HostConfig::from_input(
            HostConfigInput {
                host: Some(host.into()),
                auth_type: Some(auth.into()),
                web_integration_id: wid.map(String::from),
                api_key: Some("the-key".into()),
                has_access_token_fn: true,
                ..Default::default()
            },
            None,
        )
        .unwrap()
    }

    #[test]
    fn encodes_like_encode_uri_component() {
        assert_eq!(encode_uri_component("AZaz09-_.!~*'()"), "AZaz09-_.!~*'()");
        assert_eq!(encode_uri_component("a/b?c#d é"), "a%2Fb%3Fc%23d%20%C3%A9");
        assert_eq!(
            encode_uri_component("&=+,;:@$%[]{}|^`\"<>\\"),
            "%26%3D%2B%2C%3B%3A%40%24%25%5B%5D%7B%7D%7C%5E%60%22%3C%3E%5C"
        );
        assert_eq!(encode_uri_component("\u{0}\n\t"), "%00%0A%09");
        assert_eq!(encode_uri_component("😀"), "%F0%9F%98%80");
        assert_eq!(encode_uri_component(""), "");
    }

    #[test]
    fn dataset_and_jobs_urls() {
        let c = config("tenant.eu.qlikcloud.com", "cookie", None);
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
            c.url(Endpoint::Dataset(Dataset::Source), "id", Some("r")).unwrap(),
            "https://tenant.eu.qlikcloud.com/api/v1/automl-predictions/id/source?refId=r"
        );
        assert_eq!(
            c.url(Endpoint::Jobs, "id", Some("ignored")).unwrap(),
            "https://tenant.eu.qlikcloud.com/api/v1/automl-predictions/id/jobs"
        );
        let p = config("http://localhost:8080/qlik/", "none", None);
        assert_eq!(
            p.url(Endpoint::Dataset(Dataset::Shap), "x", None).unwrap(),
            "http://localhost:8080/qlik/api/v1/automl-predictions/x/shap"
        );
        assert_eq!(p.csrf_url(), "http://localhost:8080/qlik/api/v1/csrf-token");
        assert_eq!(c.csrf_url(), "https://tenant.eu.qlikcloud.com/api/v1/csrf-token");
    }

    #[test]
    fn invalid_prediction_ids() {
        let c = config("tenant.example.com", "cookie", None);
        for bad in ["", ".", "..", "%2e", "%2E%2e", ".%2E"] {
            let err = c.url(Endpoint::Jobs, bad, None).unwrap_err();
            assert_eq!(err.field(), "predictionId", "{bad:?}");
            assert!(err.to_string().starts_with("predictionId: "));
        }
        assert!(c.url(Endpoint::Jobs, "...", None).unwrap().ends_with("/.../jobs"));
        assert!(c.url(Endpoint::Jobs, "%", None).unwrap().ends_with("/%25/jobs"));
    }

    #[test]
    fn cookie_headers() {
        let with_id = config("tenant.example.com", "cookie", Some("wid-1"));
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

        let no_id = config("tenant.example.com", "cookie", None);
        assert!(no_id.headers("GET", None, Some("csrf")).is_empty());
        assert_eq!(no_id.headers("POST", Some("tok"), Some("csrf")), vec![("qlik-csrf-token", "csrf".to_string())]);
        assert!(no_id.headers("POST", None, None).is_empty());
    }

    #[test]
    fn bearer_headers() {
        let key = config("tenant.example.com", "apikey", Some("wid"));
        for method in ["GET", "POST"] {
            assert_eq!(
                key.headers(method, Some("other"), Some("csrf")),
                vec![("authorization", "Bearer the-key".to_string())]
            );
        }
        let oauth = config("tenant.example.com", "oauth2", Some("wid"));
        for method in ["GET", "POST"] {
            assert_eq!(
                oauth.headers(method, Some("tok"), Some("csrf")),
                vec![("authorization", "Bearer tok".to_string())]
            );
            assert_eq!(oauth.headers(method, Some(" tok\n"), None), vec![("authorization", "Bearer tok".to_string())]);
            assert!(oauth.headers(method, None, None).is_empty());
            assert!(oauth.headers(method, Some(" "), None).is_empty());
        }
        let none = config("tenant.example.com", "none", Some("wid"));
        for method in ["GET", "POST"] {
            assert!(none.headers(method, Some("tok"), Some("csrf")).is_empty());
        }
    }

    #[test]
    fn no_content_type_or_accept() {
        for auth in ["cookie", "apikey", "oauth2", "none"] {
            let c = config("tenant.example.com", auth, Some("wid"));
            for method in ["GET", "POST"] {
                let h = c.headers(method, Some("tok"), Some("csrf"));
                assert!(h.iter().all(|(n, _)| *n != "content-type" && *n != "accept"), "{auth} {method}: {h:?}");
                assert!(h.iter().all(|(n, _)| n.bytes().all(|b| !b.is_ascii_uppercase())));
            }
        }
    }

    #[test]
    fn redirects_are_followed_only_without_credentials_and_within_the_origin() {
        for auth in ["cookie", "apikey"] {
            let c = config("tenant.example.com", auth, Some("wid"));
            assert_eq!(c.redirects("GET"), Redirects::Refuse, "{auth}");
            assert_eq!(c.redirects("POST"), Redirects::Refuse, "{auth}");
        }
        let none = config("tenant.example.com", "none", None);
        assert_eq!(none.redirects("GET"), Redirects::FollowWithinOrigin);
        assert_eq!(none.redirects("POST"), Redirects::Refuse);
        for own in
            ["https://tenant.example.com", "https://tenant.example.com/api/v1/x?y#z", "https://tenant.example.com?q"]
        {
            assert!(none.is_own_url(own), "{own}");
        }
        for other in [
            "https://tenant.example.com.evil.com/api",
            "https://tenant.example.com:8443/api",
            "http://tenant.example.com/api",
            "https://evil.com/https://tenant.example.com/",
            "",
        ] {
            assert!(!none.is_own_url(other), "{other}");
        }
    }

    #[test]
    fn login_urls() {
        let with_id = config("tenant.example.com", "cookie", Some("w&i/d"));
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
