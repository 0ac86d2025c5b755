//! One API call driven through its state machine against a scripted tenant: CSRF tokens
//! (fetched, cached, refreshed once), retries (budget, backoff, `retry-after`, which failures
//! and which methods), redirects, 401s and their login URL, access tokens, the rate limiter
//! and timeouts, each step checked the way the wasm binding performs it.

use std::rc::Rc;

use proptest::prelude::*;
use qlik_automl_predictions::http::{
    Action, AuthInput, Call, CallError, Credentials, CsrfTokens, Endpoint, Env, ErrorBody, Event, HostConfig,
    HostConfigInput, Page, RateLimitConfig, RateLimits, Redirects, Request, ResponseHead, RetryPolicy, Wait,
};

const TENANT: &str = "https://tenant.example.com";
const PAGE: &str = "https://app.example.com/mashup/index.html";

fn config(auth: &str, wid: Option<&str>) -> HostConfig {
    let input = HostConfigInput {
        host: Some(TENANT.into()),
        auth: AuthInput {
            auth_type: Some(auth.into()),
            web_integration_id: wid.map(String::from),
            api_key: Some("the-key".into()),
            has_access_token_fn: true,
            ..AuthInput::default()
        },
        ..HostConfigInput::default()
    };
    HostConfig::from_input(input, None).unwrap()
}

/// How the scripted tenant answers one request.
#[derive(Clone, Debug)]
enum Reply {
    /// A status, headers (name, value) and an error body's codes (the first one with a title).
    Status(u16, Vec<(&'static str, &'static str)>, Vec<&'static str>),
    /// The connection drops before any answer.
    Drop,
    /// A redirect that was not followed.
    Redirect,
    /// A followed redirect, answered 200 from this URL.
    RedirectedTo(&'static str),
    /// Nothing comes before the timeout.
    Stall,
}

fn ok() -> Reply {
    Reply::Status(200, vec![], vec![])
}

fn status(code: u16) -> Reply {
    Reply::Status(code, vec![], vec![])
}

/// The page's shared state and clocks, and what happened.
struct World {
    limits: Option<RateLimits>,
    csrf: CsrfTokens,
    now: f64,
    random: f64,
    /// Every action, as a line: `sleep 1000 the client's rate limit`, `POST .../jobs [headers]`…
    log: Vec<String>,
    tokens: Vec<Option<String>>,
}

impl World {
    fn new() -> World {
        World { limits: None, csrf: CsrfTokens::default(), now: 0.0, random: 0.5, log: Vec::new(), tokens: Vec::new() }
    }

    fn limited(config: RateLimitConfig) -> World {
        World { limits: Some(RateLimits::new(config)), ..World::new() }
    }

    fn env(&mut self) -> Env<'_> {
        Env { rate_limits: self.limits.as_mut(), csrf_tokens: &mut self.csrf, now_ms: self.now, random: self.random }
    }

    /// Drives `call` to its end, answering each request from `replies` (in order; the CSRF
    /// token endpoint answers from `csrf` when given, else 200 with token `tok-N`). Returns
    /// the final action.
    fn run(&mut self, call: &mut Call, replies: &[Reply]) -> Action {
        self.run_with(call, replies, &[])
    }

    fn run_with(&mut self, call: &mut Call, replies: &[Reply], csrf: &[Reply]) -> Action {
        let (mut replies, mut csrf) = (replies.iter(), csrf.iter());
        let mut event = Event::Start;
        let mut csrf_count = 0;
        for _ in 0..1000 {
            let action = call.step(event, &mut self.env());
            event = match &action {
                Action::Sleep { ms, reason } => {
                    assert!(ms.is_finite() && *ms >= 0.0, "{ms}");
                    self.log.push(format!("sleep {ms} {}", reason.describe()));
                    self.now += ms;
                    Event::Slept
                }
                Action::GetAccessToken => {
                    self.log.push("token".into());
                    Event::AccessToken(if self.tokens.is_empty() { Some("tok".into()) } else { self.tokens.remove(0) })
                }
                Action::Send(request) => {
                    self.log.push(describe(request));
                    let reply = if request.awaiting == Wait::CsrfToken {
                        csrf_count += 1;
                        csrf.next().cloned().unwrap_or_else(|| {
                            Reply::Status(
                                200,
                                vec![("qlik-csrf-token", ["tok-1", "tok-2", "tok-3"][csrf_count - 1])],
                                vec![],
                            )
                        })
                    } else {
                        replies.next().cloned().unwrap_or_else(|| status(599))
                    };
                    answer(reply, self.now)
                }
                Action::ReadErrorBody { max_bytes } => {
                    assert_eq!(*max_bytes, 65536);
                    self.log.push("read error body".into());
                    Event::ErrorBody(PENDING_BODY.with(|b| b.borrow_mut().take()).unwrap_or_default())
                }
                Action::Deliver | Action::Fail(_) => return action,
            };
        }
        panic!("the call did not end: {:?}", self.log);
    }
}

thread_local! {
    /// The error body of the answer just given, read by the next `ReadErrorBody`.
    static PENDING_BODY: std::cell::RefCell<Option<ErrorBody>> = const { std::cell::RefCell::new(None) };
}

fn answer(reply: Reply, now: f64) -> Event {
    let head = |status: u16| ResponseHead { status, date_ms: 784_111_777_000.0 + now, ..ResponseHead::default() };
    match reply {
        Reply::Status(code, headers, codes) => {
            let mut h = head(code);
            for (name, value) in headers {
                match name {
                    "retry-after" => h.retry_after = Some(value.into()),
                    "qlik-csrf-token" => h.csrf_token = Some(value.into()),
                    other => panic!("{other}"),
                }
            }
            let body = ErrorBody {
                code: codes.first().map(|c| c.to_string()),
                title: codes.first().map(|c| format!("title of {c}")),
                detail: None,
                codes: codes.iter().map(|c| c.to_string()).collect(),
            };
            PENDING_BODY.with(|b| *b.borrow_mut() = Some(body));
            Event::Response(h)
        }
        Reply::Drop => Event::NoResponse("TypeError: Failed to fetch".into()),
        Reply::Redirect => Event::Response(ResponseHead { unfollowed_redirect: true, ..head(0) }),
        Reply::RedirectedTo(url) => Event::Response(ResponseHead { redirected_to: Some(url.into()), ..head(200) }),
        Reply::Stall => Event::TimedOut,
    }
}

fn describe(r: &Request) -> String {
    let path = r.url.strip_prefix(TENANT).unwrap_or(&r.url).replace("/api/v1/automl-predictions/", "");
    let headers: Vec<String> = r.headers.iter().map(|(n, v)| format!("{n}={v}")).collect();
    format!("{} {path} [{}]", r.method, headers.join(" "))
}

fn call(config: &HostConfig, policy: RetryPolicy, endpoint: Endpoint) -> Call {
    let url = config.url(endpoint, "p1", None).unwrap();
    Call::new(
        Rc::new(config.clone()),
        &policy,
        endpoint,
        url,
        Page { origin: Some("https://app.example.com".into()), href: Some(format!("{PAGE}#access_token=secret")) },
    )
}

fn shap() -> Endpoint {
    Endpoint::Dataset(qlik_automl_predictions::http::Dataset::Shap)
}

fn failure(action: Action) -> CallError {
    match action {
        Action::Fail(e) => e,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn a_cookie_post_fetches_the_csrf_token_once_per_host() {
    let c = config("cookie", Some("wid"));
    let mut w = World::new();
    assert_eq!(w.run(&mut call(&c, RetryPolicy::default(), Endpoint::Jobs), &[ok()]), Action::Deliver);
    assert_eq!(w.run(&mut call(&c, RetryPolicy::default(), Endpoint::Jobs), &[ok()]), Action::Deliver);
    assert_eq!(w.run(&mut call(&c, RetryPolicy::default(), shap()), &[ok()]), Action::Deliver);
    assert_eq!(
        w.log,
        [
            "GET /api/v1/csrf-token [qlik-web-integration-id=wid]",
            "POST p1/jobs [qlik-web-integration-id=wid qlik-csrf-token=tok-1]",
            "POST p1/jobs [qlik-web-integration-id=wid qlik-csrf-token=tok-1]",
            "GET p1/shap [qlik-web-integration-id=wid]",
        ]
    );
}

#[test]
fn a_rejected_csrf_token_is_refreshed_once_without_spending_an_attempt() {
    let c = config("cookie", None);
    let rejected = || Reply::Status(403, vec![], vec!["FORBIDDEN", "CSRF-TOKEN-2"]);
    let mut w = World::new();
    let policy = RetryPolicy { retries: 0, ..RetryPolicy::default() };
    assert_eq!(w.run(&mut call(&c, policy, Endpoint::Jobs), &[rejected(), ok()]), Action::Deliver);
    assert_eq!(
        w.log,
        [
            "GET /api/v1/csrf-token []",
            "POST p1/jobs [qlik-csrf-token=tok-1]",
            "read error body",
            "GET /api/v1/csrf-token []",
            "POST p1/jobs [qlik-csrf-token=tok-2]",
        ]
    );
    // A second rejection in the same call is the call's answer.
    w.log.clear();
    let e = failure(w.run(&mut call(&c, policy, Endpoint::Jobs), &[rejected(), rejected()]));
    assert!(matches!(&e, CallError::Api(a) if a.status == 403 && a.code == "FORBIDDEN"), "{e:?}");
    assert_eq!(w.log.iter().filter(|l| l.starts_with("GET /api/v1/csrf-token")).count(), 1);
    // A host without a token endpoint: the POST goes without one, and that is remembered.
    let mut w = World::new();
    assert_eq!(w.run_with(&mut call(&c, policy, Endpoint::Jobs), &[ok(), ok()], &[status(404)]), Action::Deliver);
    assert_eq!(w.run(&mut call(&c, policy, Endpoint::Jobs), &[ok()]), Action::Deliver);
    assert_eq!(w.log, ["GET /api/v1/csrf-token []", "POST p1/jobs []", "POST p1/jobs []"]);
}

#[test]
fn busy_answers_are_retried_with_backoff_or_their_retry_after_within_the_budget() {
    let c = config("apikey", None);
    let mut w = World::new();
    w.random = 0.0;
    let replies = [status(503), Reply::Status(429, vec![("retry-after", "2")], vec![]), status(503), ok()];
    assert_eq!(w.run(&mut call(&c, RetryPolicy::default(), shap()), &replies), Action::Deliver);
    let sleeps: Vec<&String> = w.log.iter().filter(|l| l.starts_with("sleep")).collect();
    // Equal jitter with a sample of 0: half the nominal 500 ms, 1000 ms, ...; a retry-after as given.
    assert_eq!(
        sleeps,
        [
            "sleep 250 the pause before a retry",
            "sleep 2000 the pause before a retry",
            "sleep 1000 the pause before a retry"
        ]
    );
    // retries: 1 means one further attempt; the last answer is the call's error.
    let mut w = World::new();
    let e = failure(w.run(
        &mut call(&c, RetryPolicy { retries: 1, ..RetryPolicy::default() }, shap()),
        &[status(503), status(429), ok()],
    ));
    assert!(
        matches!(e, CallError::Api(a) if a.status == 429 && a.code == "HTTP-429" && a.title == "Too Many Requests")
    );
    assert_eq!(w.log.iter().filter(|l| l.starts_with("GET")).count(), 2);
    // Other statuses are not retried.
    for code in [400, 403, 404, 409, 500] {
        let mut w = World::new();
        let e = failure(w.run(&mut call(&c, RetryPolicy::default(), shap()), &[status(code), ok()]));
        assert!(matches!(e, CallError::Api(a) if a.status == code));
        assert_eq!(w.log.len(), 2, "{code}: {:?}", w.log);
    }
}

#[test]
fn failed_connections_and_gateways_are_retried_only_when_resending_is_safe() {
    let key = config("apikey", None);
    // A GET: a dropped connection, a 502, a 504 before the answer.
    let mut w = World::new();
    let replies = [Reply::Drop, status(502), status(504), ok()];
    assert_eq!(w.run(&mut call(&key, RetryPolicy::default(), shap()), &replies), Action::Deliver);
    assert_eq!(w.log.iter().filter(|l| l.starts_with("GET")).count(), 4);
    let e = failure(World::new().run(
        &mut call(&key, RetryPolicy { retries: 1, ..RetryPolicy::default() }, shap()),
        &[Reply::Drop, Reply::Drop],
    ));
    // From a page on another origin, the message says that CORS fails a request this way too.
    let cors = " (this page's origin, https://app.example.com, is not the URL's: a browser reports a request \
                whose answer does not allow this origin (CORS) the same way; in Qlik Cloud, a web \
                integration of the tenant lists the origins allowed)";
    assert!(
        matches!(&e, CallError::Network(n) if n.message == ["the response failed: TypeError: Failed to fetch", cors].concat() && n.url.ends_with("/p1/shap")),
        "{e:?}"
    );
    // From the host's own origin, or with no page (Node), it does not.
    let retries = RetryPolicy { retries: 0, ..RetryPolicy::default() };
    for origin in [Some("https://tenant.example.com"), Some("null"), None] {
        let page = Page { origin: origin.map(String::from), href: None };
        let url = key.url(shap(), "p1", None).unwrap();
        let mut same = Call::new(Rc::new(key.clone()), &retries, shap(), url, page);
        let e = failure(World::new().run(&mut same, &[Reply::Drop]));
        assert!(
            matches!(&e, CallError::Network(n) if n.message == "the response failed: TypeError: Failed to fetch"),
            "{origin:?}: {e:?}"
        );
    }
    // A CSRF token request that got no answer says so as well.
    let e = failure(World::new().run_with(
        &mut call(&config("cookie", None), retries, Endpoint::Jobs),
        &[],
        &[Reply::Drop],
    ));
    assert!(
        matches!(&e, CallError::Network(n) if n.message == ["the CSRF token failed: TypeError: Failed to fetch", cors].concat()),
        "{e:?}"
    );
    // A POST that may have been sent is never sent again.
    for reply in [Reply::Drop, status(502), status(504)] {
        let mut w = World::new();
        let outcome = w.run(&mut call(&key, RetryPolicy::default(), Endpoint::Jobs), &[reply.clone(), ok()]);
        assert!(matches!(outcome, Action::Fail(_)), "{reply:?}");
        assert_eq!(w.log.iter().filter(|l| l.starts_with("POST")).count(), 1, "{reply:?}");
    }
    // ... but one whose CSRF token could not be fetched was not sent: it is, after a pause.
    let cookie = config("cookie", None);
    let mut w = World::new();
    let outcome =
        w.run_with(&mut call(&cookie, RetryPolicy::default(), Endpoint::Jobs), &[ok()], &[Reply::Drop, status(503)]);
    assert_eq!(outcome, Action::Deliver);
    assert_eq!(
        w.log,
        [
            "GET /api/v1/csrf-token []",
            "sleep 375 the pause before a retry",
            "GET /api/v1/csrf-token []",
            "read error body",
            "sleep 750 the pause before a retry",
            "GET /api/v1/csrf-token []",
            "POST p1/jobs [qlik-csrf-token=tok-3]",
        ]
    );
}

#[test]
fn redirects_never_leave_the_tenant() {
    for auth in ["cookie", "apikey", "none"] {
        let c = config(auth, Some("wid"));
        let mut w = World::new();
        let e = failure(w.run(&mut call(&c, RetryPolicy::default(), shap()), &[Reply::Redirect, ok()]));
        assert!(
            matches!(&e, CallError::Network(n) if n.message.contains("redirect, which is not followed")),
            "{auth}: {e:?}"
        );
        assert_eq!(w.log.len(), 1, "a refused redirect is not retried");
    }
    let none = config("none", None);
    let e =
        failure(World::new().run(
            &mut call(&none, RetryPolicy::default(), shap()),
            &[Reply::RedirectedTo("https://evil.example.com/x")],
        ));
    assert!(
        matches!(&e, CallError::Network(n) if n.message == "the answer was redirected off https://tenant.example.com; it is not used")
    );
    let within = Reply::RedirectedTo("https://tenant.example.com/elsewhere");
    assert_eq!(World::new().run(&mut call(&none, RetryPolicy::default(), shap()), &[within]), Action::Deliver);
    // Only a GET without credentials follows at all.
    let send = |c: &HostConfig, e: Endpoint| match call(c, RetryPolicy::default(), e)
        .step(Event::Start, &mut World::new().env())
    {
        Action::Send(r) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(send(&none, shap()).redirects, Redirects::FollowWithinOrigin);
    assert_eq!(send(&none, Endpoint::Jobs).redirects, Redirects::Refuse);
    assert_eq!(send(&config("apikey", None), shap()).redirects, Redirects::Refuse);
    assert_eq!(send(&config("cookie", None), shap()).redirects, Redirects::Refuse);
    assert_eq!(send(&config("cookie", None), shap()).credentials, Credentials::Include);
    assert_eq!(send(&config("apikey", None), shap()).credentials, Credentials::Omit);
}

#[test]
fn a_401_carries_the_login_url_with_a_cookie_session_only() {
    let c = config("cookie", Some("w&i/d"));
    let e = failure(
        World::new()
            .run(&mut call(&c, RetryPolicy::default(), shap()), &[Reply::Status(401, vec![], vec!["AUTH"]), ok()]),
    );
    let CallError::Api(a) = e else { panic!() };
    assert_eq!(
        a.login_url.as_deref(),
        Some("https://tenant.example.com/login?qlik-web-integration-id=w%26i%2Fd&returnto=https%3A%2F%2Fapp.example.com%2Fmashup%2Findex.html")
    );
    assert_eq!((a.code.as_str(), a.title.as_str()), ("AUTH", "title of AUTH"));
    let e =
        failure(World::new().run(&mut call(&config("apikey", None), RetryPolicy::default(), shap()), &[status(401)]));
    assert!(matches!(e, CallError::Api(a) if a.status == 401 && a.login_url.is_none()));
}

#[test]
fn an_access_token_is_asked_for_before_every_attempt() {
    let c = config("oauth2", None);
    let mut w = World::new();
    w.tokens = vec![Some("t1".into()), Some(" t2 ".into())];
    assert_eq!(w.run(&mut call(&c, RetryPolicy::default(), shap()), &[status(503), ok()]), Action::Deliver);
    assert_eq!(
        w.log,
        [
            "token",
            "GET p1/shap [authorization=Bearer t1]",
            "read error body",
            "sleep 375 the pause before a retry",
            "token",
            "GET p1/shap [authorization=Bearer t2]"
        ]
    );
    for bad in [None, Some(String::new())] {
        let mut w = World::new();
        w.tokens = vec![bad];
        let e = failure(w.run(&mut call(&c, RetryPolicy::default(), shap()), &[ok()]));
        assert_eq!(e, CallError::AccessToken);
        assert_eq!(e.to_string(), "`getAccessToken` must resolve to a non-empty string");
    }
}

#[test]
fn the_rate_limiter_spaces_attempts_and_retries_alike() {
    let c = config("apikey", None);
    let mut w = World::limited(RateLimitConfig { tier1: 1000, tier2: 2, window_ms: 1000.0 });
    let policy = RetryPolicy { retries: 3, base_delay_ms: 10.0, ..RetryPolicy::default() };
    assert_eq!(w.run(&mut call(&c, policy, Endpoint::Jobs), &[status(429), ok()]), Action::Deliver);
    assert_eq!(w.run(&mut call(&c, policy, Endpoint::Jobs), &[ok()]), Action::Deliver);
    let lines: Vec<String> = w.log.iter().map(|l| l.replace(" [authorization=Bearer the-key]", "")).collect();
    // Two sends per window: the third waits for the first to leave it (at 0 + 1000).
    assert_eq!(
        lines,
        [
            "POST p1/jobs",
            "read error body",
            "sleep 7.5 the pause before a retry",
            "POST p1/jobs",
            "sleep 992.5 the client's rate limit",
            "POST p1/jobs"
        ]
    );
    // A dataset call is in the other tier.
    assert_eq!(w.run(&mut call(&c, policy, shap()), &[ok()]), Action::Deliver);
    assert_eq!(w.log.last().map(String::as_str), Some("GET p1/shap [authorization=Bearer the-key]"));
}

#[test]
fn a_timeout_names_what_the_call_waited_for() {
    let timeout = RetryPolicy { timeout_ms: 400.0, ..RetryPolicy::default() };
    let network = |action: Action| match failure(action) {
        CallError::Network(n) => n.message,
        other => panic!("{other:?}"),
    };
    let stalled = network(World::new().run(&mut call(&config("apikey", None), timeout, shap()), &[Reply::Stall]));
    assert_eq!(stalled, "timed out: nothing for 400 ms (timeoutMs) while waiting for the response");
    let csrf = network(World::new().run_with(
        &mut call(&config("cookie", None), timeout, Endpoint::Jobs),
        &[],
        &[Reply::Stall],
    ));
    assert_eq!(csrf, "timed out: nothing for 400 ms (timeoutMs) while waiting for the CSRF token");
    // Waits the driver ends by the timeout: the rate limit, the access token.
    let mut w = World::limited(RateLimitConfig { tier1: 1, tier2: 1, window_ms: 60_000.0 });
    assert_eq!(w.run(&mut call(&config("apikey", None), timeout, shap()), &[ok()]), Action::Deliver);
    let mut limited = call(&config("apikey", None), timeout, shap());
    assert!(matches!(limited.step(Event::Start, &mut w.env()), Action::Sleep { reason: Wait::RateLimit, .. }));
    assert!(network(limited.step(Event::TimedOut, &mut w.env())).ends_with("waiting for the client's rate limit"));
    let mut token = call(&config("oauth2", None), timeout, shap());
    assert_eq!(token.step(Event::Start, &mut World::new().env()), Action::GetAccessToken);
    assert!(network(token.step(Event::TimedOut, &mut World::new().env()))
        .ends_with("waiting for the access token (getAccessToken)"));
    // A retry pause the timeout would end is not taken: the answer comes back at once.
    let mut w = World::new();
    let e = failure(w.run(
        &mut call(&config("apikey", None), RetryPolicy { timeout_ms: 2000.0, ..RetryPolicy::default() }, shap()),
        &[Reply::Status(503, vec![("retry-after", "30")], vec![])],
    ));
    assert!(matches!(e, CallError::Api(a) if a.status == 503 && a.retry_after == Some(30.0)));
    assert!(!w.log.iter().any(|l| l.starts_with("sleep")));
    // An error answer whose body does not come in time is reported as it is.
    let mut slow = call(&config("apikey", None), timeout, shap());
    let mut w = World::new();
    assert!(matches!(slow.step(Event::Start, &mut w.env()), Action::Send(_)));
    assert!(matches!(slow.step(answer(status(503), 0.0), &mut w.env()), Action::ReadErrorBody { .. }));
    assert!(matches!(failure(slow.step(Event::TimedOut, &mut w.env())), CallError::Api(a) if a.status == 503));
}

#[test]
fn events_out_of_order_fail_the_call_without_a_panic() {
    let mut c = call(&config("apikey", None), RetryPolicy::default(), shap());
    let mut w = World::new();
    assert!(matches!(c.step(Event::Slept, &mut w.env()), Action::Fail(CallError::Network(_))));
    let mut d = call(&config("apikey", None), RetryPolicy::default(), shap());
    assert!(matches!(d.step(Event::Start, &mut w.env()), Action::Send(_)));
    assert_eq!(d.step(answer(ok(), 0.0), &mut w.env()), Action::Deliver);
    assert!(matches!(d.step(Event::Start, &mut w.env()), Action::Fail(_)), "nothing after the end");
}

fn any_event() -> impl Strategy<Value = Event> {
    prop_oneof![
        Just(Event::Start),
        Just(Event::Slept),
        Just(Event::TimedOut),
        proptest::option::of("[ a-z]{0,3}").prop_map(Event::AccessToken),
        "[a-z ]{0,8}".prop_map(Event::NoResponse),
        (0u16..600, any::<bool>(), proptest::option::of("[0-9.]{0,4}"), proptest::option::of("[a-z]{0,3}")).prop_map(
            |(status, unfollowed, retry_after, csrf_token)| Event::Response(ResponseHead {
                status,
                unfollowed_redirect: unfollowed,
                retry_after,
                csrf_token,
                ..ResponseHead::default()
            })
        ),
        proptest::collection::vec("CSRF-TOKEN-2|[A-Z]{1,3}", 0..3).prop_map(|codes| Event::ErrorBody(ErrorBody {
            code: codes.first().cloned(),
            codes,
            ..ErrorBody::default()
        })),
    ]
}

proptest! {
    /// Whatever comes back in whatever order: no panic, every pause finite and within the
    /// longest the policy or the limiter allows, and never more attempts than the budget.
    #[test]
    fn any_sequence_of_events_is_handled(
        auth in prop_oneof![Just("cookie"), Just("apikey"), Just("oauth2"), Just("none")],
        jobs in any::<bool>(),
        retries in 0u32..4,
        events in proptest::collection::vec(any_event(), 0..40),
        random in 0.0f64..1.0,
    ) {
        let endpoint = if jobs { Endpoint::Jobs } else { shap() };
        let policy = RetryPolicy { retries, ..RetryPolicy::default() };
        let mut c = call(&config(auth, Some("wid")), policy, endpoint);
        let mut w = World::limited(RateLimitConfig { tier1: 3, tier2: 2, window_ms: 1000.0 });
        w.random = random;
        let mut sends = 0;
        for (i, event) in events.into_iter().enumerate() {
            w.now = i as f64 * 10.0;
            match c.step(event, &mut w.env()) {
                Action::Sleep { ms, .. } => prop_assert!(ms.is_finite() && (0.0..=120_000.0).contains(&ms), "{}", ms),
                Action::Send(r) if r.awaiting == Wait::Response => sends += 1,
                _ => {}
            }
        }
        // The budget, plus one repeat after a CSRF refresh.
        prop_assert!(sends <= retries + 2, "{} sends", sends);
    }
}

#[test]
fn the_cors_note_names_the_page_origin_when_it_is_not_the_urls() {
    use qlik_automl_predictions::http::cors_note;
    let url = "https://tenant.example.com/api/v1/x";
    let note = cors_note(Some("https://app.example.com"), url, false).unwrap();
    assert_eq!(
        note,
        " (this page's origin, https://app.example.com, is not the URL's: a browser reports a request whose answer \
         does not allow this origin (CORS) the same way)"
    );
    assert!(cors_note(Some("https://app.example.com"), url, true).unwrap().ends_with("lists the origins allowed)"));
    // Another scheme or port is another origin; the same origin (any case, default port) is not.
    assert!(cors_note(Some("http://tenant.example.com"), url, false).is_some());
    assert!(cors_note(Some("https://tenant.example.com:8443"), url, false).is_some());
    for same in ["https://tenant.example.com", "https://Tenant.Example.com:443"] {
        assert_eq!(cors_note(Some(same), url, true), None, "{same}");
    }
    // No page (Node), an opaque origin, or a URL that is not http(s): nothing to say.
    assert_eq!(cors_note(None, url, true), None);
    assert_eq!(cors_note(Some("null"), url, true), None);
    assert_eq!(cors_note(Some("https://app.example.com"), "data:text/csv,a", true), None);
}
