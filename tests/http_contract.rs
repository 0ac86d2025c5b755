//! The public surface of `http` that the wasm binding codes against, pinned by signature, and
//! one end-to-end walk through a call's pure steps.

use qlik_automl_predictions::http::{
    deprecation_notice, is_csrf_rejection, parse_api_error, parse_retry_after, ApiError, AuthType, ConfigError,
    Credentials, Dataset, Decision, Endpoint, Failure, HostConfig, HostConfigInput, RateLimitConfig, RateLimiter,
    RateLimits, RetryPolicy, Tier,
};

#[test]
fn signatures() {
    let _: fn(&str) -> Option<Dataset> = Dataset::parse;
    let _: fn(Dataset) -> &'static str = Dataset::as_str;
    let _: fn(Endpoint) -> &'static str = Endpoint::method;
    let _: fn(Endpoint) -> Tier = Endpoint::tier;
    let _: fn(Endpoint) -> &'static str = Endpoint::path_segment;
    let _: fn(HostConfigInput, Option<&str>) -> Result<HostConfig, ConfigError> = HostConfig::from_input;
    let _: fn(&HostConfig, Option<&str>) -> Credentials = HostConfig::credentials_mode;
    let _: fn(&HostConfig, Endpoint, &str, Option<&str>) -> Result<String, ConfigError> = HostConfig::url;
    let _: fn(&HostConfig) -> String = HostConfig::csrf_url;
    type Headers = Vec<(&'static str, String)>;
    let _: fn(&HostConfig, &str, Option<&str>, Option<&str>) -> Headers = HostConfig::headers;
    let _: fn(&HostConfig, &str) -> String = HostConfig::login_url;
    let _: fn(u16, &str, &[u8], Option<&str>) -> ApiError = parse_api_error;
    let _: fn(&str) -> Option<f64> = parse_retry_after;
    let _: fn(&ApiError) -> bool = is_csrf_rejection;
    let _: fn(Option<&str>, Option<&str>) -> Option<String> = deprecation_notice;
    let _: fn(&RetryPolicy, u32, Failure, bool, f64) -> Decision = RetryPolicy::decide;
    let _: fn(u32, f64) -> RateLimiter = RateLimiter::new;
    let _: fn(&mut RateLimiter, f64) -> f64 = RateLimiter::acquire;
    let _: fn(&mut RateLimits, &str, Tier, f64) -> f64 = RateLimits::acquire;
    let _ = RetryPolicy { retries: 3, base_delay_ms: 500.0, max_delay_ms: 30_000.0, timeout_ms: 0.0 };
    let _ = RateLimitConfig { tier1: 1000, tier2: 100, window_ms: 60_000.0 };
    let _ = ApiError {
        status: 500,
        code: String::new(),
        title: String::new(),
        detail: None,
        errors: Vec::new(),
        retry_after: None,
    };
    let _ = HostConfigInput {
        host: None,
        auth_type: None,
        web_integration_id: None,
        cross_site_cookies: None,
        api_key: None,
        has_access_token_fn: false,
        auto_redirect: None,
    };
    let _ = [AuthType::Cookie, AuthType::ApiKey, AuthType::OAuth2, AuthType::None];
    let _ = [Credentials::Include, Credentials::SameOrigin, Credentials::Omit];
    let _ = [Tier::One, Tier::Two];
}

/// A cookie-authenticated POST from another origin: URL, credentials, headers with a CSRF
/// token, a CSRF rejection, a 429 with its wait, a 503 backoff and the final 401 login URL.
#[test]
fn cookie_post_walkthrough() {
    let page = Some("https://app.example.com");
    let config = HostConfig::from_input(
        HostConfigInput {
            host: Some("tenant.eu.qlikcloud.com/".into()),
            web_integration_id: Some("wid".into()),
            ..Default::default()
        },
        page,
    )
    .unwrap();
    let endpoint = Endpoint::Jobs;
    assert_eq!(
        config.url(endpoint, "p 1", Some("r")).unwrap(),
        "https://tenant.eu.qlikcloud.com/api/v1/automl-predictions/p%201/jobs"
    );
    assert_eq!(config.credentials_mode(page), Credentials::Include);
    assert_eq!(config.csrf_url(), "https://tenant.eu.qlikcloud.com/api/v1/csrf-token");
    assert_eq!(
        config.headers(endpoint.method(), None, Some("tok")),
        vec![("qlik-web-integration-id", "wid".to_string()), ("qlik-csrf-token", "tok".to_string())]
    );

    let mut limits = RateLimits::new(RateLimitConfig::default());
    assert_eq!(limits.acquire(&config.origin, endpoint.tier(), 0.0), 0.0);

    let rejected = parse_api_error(
        403,
        "Forbidden",
        br#"{"errors":[{"code":"CSRF-TOKEN-2","title":"Invalid CSRF token"}]}"#,
        None,
    );
    assert!(is_csrf_rejection(&rejected));

    let policy = RetryPolicy::default();
    let limited = parse_api_error(
        429,
        "",
        br#"{"errors":[{"code":"HTTP-429","title":"API rate limit reached.","detail":"You need to wait 3 seconds."}]}"#,
        Some("2"),
    );
    assert_eq!(
        policy.decide(1, Failure::Status { status: limited.status, retry_after: limited.retry_after }, false, 0.5),
        Decision::RetryAfter { delay_ms: 2000.0 }
    );
    let busy = parse_api_error(503, "", b"<html>upstream</html>", None);
    assert_eq!(busy.code, "HTTP-503");
    match policy.decide(2, Failure::Status { status: busy.status, retry_after: busy.retry_after }, false, 0.5) {
        Decision::RetryAfter { delay_ms } => assert!((500.0..1000.0).contains(&delay_ms)),
        Decision::GiveUp => panic!("503 should be retried"),
    }
    let unauthorized = parse_api_error(401, "", br#"{"errors":[{"code":"AUTH","title":"Unauthorized"}]}"#, None);
    assert_eq!(
        policy.decide(3, Failure::Status { status: unauthorized.status, retry_after: None }, false, 0.5),
        Decision::GiveUp
    );
    assert_eq!(
        config.login_url("https://app.example.com/x"),
        "https://tenant.eu.qlikcloud.com/login?qlik-web-integration-id=wid&returnto=https%3A%2F%2Fapp.example.com%2Fx"
    );
}

#[test]
fn api_key_get_walkthrough() {
    let config = HostConfig::from_input(
        HostConfigInput {
            host: Some("https://tenant.us.qlikcloud.com".into()),
            auth_type: Some("apikey".into()),
            api_key: Some("k".into()),
            ..Default::default()
        },
        Some("https://app.example.com"),
    )
    .unwrap();
    let endpoint = Endpoint::Dataset(Dataset::parse("not-predicted-reasons").unwrap());
    assert_eq!(
        config.url(endpoint, "abc", Some("ref/1")).unwrap(),
        "https://tenant.us.qlikcloud.com/api/v1/automl-predictions/abc/not-predicted-reasons?refId=ref%2F1"
    );
    assert_eq!(config.credentials_mode(Some("https://app.example.com")), Credentials::Omit);
    assert_eq!(config.headers("GET", None, None), vec![("authorization", "Bearer k".to_string())]);
    assert_eq!(
        deprecation_notice(None, Some("Sun, 01 Feb 2026 00:00:00 GMT")).as_deref(),
        Some("This endpoint is deprecated (Sunset: Sun, 01 Feb 2026 00:00:00 GMT).")
    );
    let err = HostConfig::from_input(
        HostConfigInput {
            host: Some("http://evil.com".into()),
            auth_type: Some("apikey".into()),
            api_key: Some("k".into()),
            ..Default::default()
        },
        None,
    )
    .unwrap_err();
    assert_eq!(err.field(), "host");
}
