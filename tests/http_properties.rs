//! Property tests of the HTTP layer's public surface: URLs keep the prediction ID in one
//! segment, and reading a configuration or an error body never panics. (The rate limiter's,
//! the retry policy's and the header parsers' properties are unit tests of their modules.)

use proptest::prelude::*;
use qlik_automl_predictions::http::{
    ApiError, AuthInput, Dataset, Endpoint, ErrorBody, HostConfig, HostConfigInput, JsonValue,
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

}
