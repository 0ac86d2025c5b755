//! Property tests of the HTTP layer: the rate limiter's guarantees, URLs, and that parsing of
//! arbitrary input never panics.

use proptest::prelude::*;
use qlik_automl_predictions::http::{
    deprecation_notice, parse_http_date, parse_retry_after, parse_retry_after_at, ApiError, AuthInput, Dataset,
    Decision, Endpoint, ErrorBody, Fault, HostConfig, HostConfigInput, JsonValue, RateLimiter, RetryPolicy,
    MAX_RETRY_AFTER_MS,
};

/// A `serde_json` value read as the binding reads a `JSON.parse` result.
struct Json(serde_json::Value);

impl JsonValue for Json {
    fn member(&self, key: &str) -> Option<Json> {
        self.0.as_object().and_then(|o| o.get(key)).cloned().map(Json)
    }
    fn string(&self) -> Option<String> {
        self.0.as_str().map(String::from)
    }
    fn elements(&self) -> Option<Vec<Json>> {
        self.0.as_array().map(|a| a.iter().cloned().map(Json).collect())
    }
}

/// The error of an answer with `body`, parsed as `JSON.parse` would.
fn parse_api_error(status: u16, text: &str, body: &[u8], retry_after: Option<&str>) -> ApiError {
    let fields = serde_json::from_slice(body).map(|v| ErrorBody::read(&Json(v))).unwrap_or_default();
    ApiError::new(status, text, &fields, retry_after, 0.0, "https://t/x")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Callers arriving in bursts at integer times, each waiting what it is told and asking
    /// again: every wait lies in [0, window], and no half-open window holds more than `limit`
    /// sends.
    #[test]
    fn rate_limiter_guarantees(
        limit in 1u32..8,
        window in 1u32..500,
        steps in prop::collection::vec((0u32..300, 0usize..12), 1..40),
    ) {
        let window = f64::from(window);
        let mut limiter = RateLimiter::new(limit, window);
        let mut asking: Vec<f64> = Vec::new();
        let mut now = 0.0;
        for (advance, burst) in steps {
            now += f64::from(advance);
            asking.extend(std::iter::repeat(now).take(burst));
        }
        let mut sends = Vec::new();
        while let Some(i) = (0..asking.len()).min_by(|&a, &b| asking[a].total_cmp(&asking[b])) {
            let at = asking[i];
            let wait = limiter.acquire(at);
            prop_assert!((0.0..=window).contains(&wait), "wait {}", wait);
            if wait == 0.0 {
                sends.push(at);
                asking.swap_remove(i);
            } else {
                asking[i] = at + wait;
            }
        }
        sends.sort_by(f64::total_cmp);
        for (i, &start) in sends.iter().enumerate() {
            let count = sends[i..].iter().take_while(|&&s| s < start + window).count();
            prop_assert!(count <= limit as usize, "{} sends in [{}, {})", count, start, start + window);
        }
    }

    /// Whatever the clock does (steps back, jumps ahead), a wait never exceeds the window.
    #[test]
    fn rate_limiter_waits_are_bounded(
        limit in 1u32..8,
        window in 1u32..100_000,
        times in prop::collection::vec(-1e12f64..1e12, 1..60),
    ) {
        let window = f64::from(window);
        let mut limiter = RateLimiter::new(limit, window);
        for now in times {
            let wait = limiter.acquire(now);
            prop_assert!((0.0..=window).contains(&wait), "wait {} at {}", wait, now);
        }
    }

    #[test]
    fn urls_keep_the_prediction_id_in_one_segment(id in "\\PC{1,40}", ref_id in proptest::option::of("\\PC{0,20}")) {
        let config = HostConfig::from_input(
            HostConfigInput { host: Some("tenant.example.com".into()), ..Default::default() },
            None,
        ).unwrap();
        if let Ok(url) = config.url(Endpoint::Dataset(Dataset::Shap), &id, ref_id.as_deref()) {
            let rest = url.strip_prefix("https://tenant.example.com/api/v1/automl-predictions/").unwrap();
            let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
            let segments: Vec<&str> = path.split('/').collect();
            prop_assert_eq!(segments.len(), 2);
            prop_assert_eq!(segments[1], "shap");
            prop_assert!(!url.contains('#'));
            prop_assert_eq!(query.is_empty(), ref_id.as_deref().map_or(true, str::is_empty));
        } else {
            let decoded = id.to_ascii_lowercase().replace("%2e", ".");
            prop_assert!(decoded == "." || decoded == "..");
        }
    }

    #[test]
    fn host_config_never_panics(
        host in proptest::option::of("\\PC{0,40}|[a-zA-Z0-9:/\\[\\]@.%?#-]{0,40}"),
        auth in proptest::option::of("cookie|apikey|oauth2|none|\\PC{0,8}"),
        key in proptest::option::of("\\PC{0,20}"),
        page in proptest::option::of("https?://[a-z0-9.:]{0,20}|\\PC{0,20}"),
    ) {
        let input = HostConfigInput {
            host,
            auth: AuthInput { auth_type: auth, api_key: key, has_access_token_fn: true, ..Default::default() },
            ..Default::default()
        };
        match HostConfig::from_input(input, page.as_deref()) {
            Ok(c) => {
                prop_assert!(c.origin().starts_with("https://") || c.origin().starts_with("http://"));
                prop_assert!(!c.origin().ends_with('/'));
                let url = c.url(Endpoint::Jobs, "id", None).unwrap();
                prop_assert!(url.starts_with(c.origin()));
                prop_assert!(url.ends_with("/api/v1/automl-predictions/id/jobs") && !url.contains("//api"));
                let _ = c.credentials_mode(page.as_deref());
                let _ = c.auth().headers("POST", Some("t"), Some("c"));
                let _ = c.login_url("https://x/");
            }
            Err(e) => {
                let prefix = [e.field(), ": "].concat();
                prop_assert!(e.to_string().starts_with(&prefix));
            }
        }
    }

    #[test]
    fn parse_api_error_never_panics(status in any::<u16>(), text in "\\PC{0,10}", body in prop::collection::vec(any::<u8>(), 0..200), header in proptest::option::of("\\PC{0,30}")) {
        let e = parse_api_error(status, &text, &body, header.as_deref());
        prop_assert_eq!(e.status, status);
        prop_assert!(!e.code.is_empty());
        prop_assert!(!e.title.is_empty());
        if let Some(r) = e.retry_after {
            prop_assert!(r.is_finite() && r >= 0.0);
        }
    }

    #[test]
    fn parse_api_error_reads_generated_json(code in "[A-Z0-9-]{1,12}", title in "\\PC{1,20}", detail in proptest::option::of("\\PC{1,20}")) {
        let mut error = serde_json::json!({"code": code, "title": title});
        if let Some(d) = &detail {
            error["meta"] = serde_json::json!({"details": d});
        }
        let body = serde_json::to_vec(&serde_json::json!({"errors": [error]})).unwrap();
        let e = parse_api_error(400, "Bad Request", &body, None);
        prop_assert_eq!(e.code, code);
        let expected_title = if title.trim().is_empty() { "Bad Request".to_string() } else { title };
        prop_assert_eq!(e.title, expected_title);
        prop_assert_eq!(e.detail, detail.filter(|d| !d.trim().is_empty()));
    }

    #[test]
    fn header_parsers_never_panic(value in "\\PC{0,40}", now in any::<f64>()) {
        if let Some(s) = parse_retry_after(&value) {
            prop_assert!(s.is_finite() && s >= 0.0);
        }
        if let Some(s) = parse_retry_after_at(&value, now) {
            prop_assert!(s.is_finite() && s >= 0.0);
        }
        let _ = parse_http_date(&value);
        let _ = deprecation_notice(Some(&value), Some(&value));
    }

    #[test]
    fn retry_delays_are_bounded(
        attempt in 0u32..200,
        status in prop_oneof![Just(429u16), Just(503u16), Just(502u16), Just(504u16), any::<u16>()],
        retry_after in proptest::option::of(prop_oneof![any::<f64>(), 0.0f64..1e6]),
        network in any::<bool>(),
        resend_safe in any::<bool>(),
        timeout_ms in prop_oneof![Just(0.0f64), 1.0f64..200_000.0],
        random in any::<f64>(),
        retries in 0u32..10,
    ) {
        let policy = RetryPolicy { retries, timeout_ms, ..RetryPolicy::default() };
        let failure = if network { Fault::Network } else { Fault::Status { status, retry_after } };
        let not_acted_on = !network && (status == 429 || status == 503);
        let maybe_acted_on = network || status == 502 || status == 504;
        match policy.decide(attempt, failure, resend_safe, random) {
            Decision::RetryAfter { delay_ms } => {
                prop_assert!(attempt <= retries);
                prop_assert!(delay_ms.is_finite() && delay_ms >= 0.0);
                prop_assert!(delay_ms <= policy.max_delay_ms.max(MAX_RETRY_AFTER_MS));
                prop_assert!(timeout_ms == 0.0 || delay_ms < timeout_ms);
                prop_assert!(not_acted_on || (maybe_acted_on && resend_safe));
            }
            Decision::GiveUp => prop_assert!(
                attempt.max(1) > retries || !(not_acted_on || (maybe_acted_on && resend_safe)) || timeout_ms > 0.0
            ),
        }
    }
}
