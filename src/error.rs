//! The crate's one error type: every way a call can fail that is not a value of the caller's
//! own (an abort reason, an exception of a callback), each convertible from the layer that
//! finds it. Its message is built once, here or in that layer's `Display`; the binding maps
//! it to the package's JavaScript error classes by [`Error::name`].

use crate::prelude::*;
use core::fmt;

use crate::decode::DecodeError;
use crate::http::ranges::RangeError;
use crate::http::{ApiError, CallError, ConfigError, NetworkError};

/// A bad argument: the field at fault (as JavaScript callers spell it) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgumentError {
    pub field: &'static str,
    pub message: String,
}

impl ArgumentError {
    pub fn new(field: &'static str, message: impl Into<String>) -> ArgumentError {
        ArgumentError { field, message: message.into() }
    }
}

/// Why a call failed, or an argument was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The API answered with an error status (after retries): `QlikApiError`.
    Api(ApiError),
    /// The body is not valid CSV: `CsvError`.
    Csv(DecodeError),
    /// The connection failed, went idle past the timeout, or ended early: `NetworkError`.
    Network(NetworkError),
    /// A bad argument or configuration: a `TypeError` naming the field.
    Argument(ArgumentError),
}

impl Error {
    /// The name of the JavaScript error class.
    pub fn name(&self) -> &'static str {
        match self {
            Error::Api(_) => "QlikApiError",
            Error::Csv(_) => "CsvError",
            Error::Network(_) => "NetworkError",
            Error::Argument(_) => "TypeError",
        }
    }

    /// The error's message.
    pub fn message(&self) -> String {
        match self {
            Error::Api(e) => e.message(),
            Error::Csv(e) => e.message(),
            Error::Network(e) => e.message.clone(),
            Error::Argument(e) => e.message.clone(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for Error {}

impl From<ApiError> for Error {
    #[inline(never)]
    fn from(e: ApiError) -> Error {
        Error::Api(e)
    }
}

impl From<DecodeError> for Error {
    #[inline(never)]
    fn from(e: DecodeError) -> Error {
        Error::Csv(e)
    }
}

impl From<NetworkError> for Error {
    #[inline(never)]
    fn from(e: NetworkError) -> Error {
        Error::Network(e)
    }
}

impl From<ArgumentError> for Error {
    #[inline(never)]
    fn from(e: ArgumentError) -> Error {
        Error::Argument(e)
    }
}

impl From<CallError> for Error {
    #[inline(never)]
    fn from(e: CallError) -> Error {
        match e {
            CallError::Api(e) => Error::Api(e),
            CallError::Network(e) => Error::Network(e),
            CallError::AccessToken => Error::Argument(ArgumentError::new("getAccessToken", e.message())),
        }
    }
}

impl From<ConfigError> for Error {
    #[inline(never)]
    fn from(e: ConfigError) -> Error {
        Error::Argument(ArgumentError::new(e.field(), e.message()))
    }
}

impl From<RangeError> for Error {
    #[inline(never)]
    fn from(e: RangeError) -> Error {
        Error::Argument(ArgumentError::new(e.range.field, e.message()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::DecodeErrorKind;
    use crate::http::ranges::TIMEOUT_MS;
    use crate::http::{AuthError, ErrorBody};

    #[test]
    fn each_layer_converts_with_its_message_and_class() {
        let api = ApiError::new(404, "Not Found", &ErrorBody::default(), None, 0.0, "https://t/x");
        let cases: Vec<(Error, &str, &str)> = vec![
            (api.into(), "QlikApiError", "404 Not Found (HTTP-404)"),
            (
                DecodeError { kind: DecodeErrorKind::UnterminatedQuote, line: 3, byte_offset: 9 }.into(),
                "CsvError",
                "CSV line 3 (byte 9): quoted field is not closed before the end of the input",
            ),
            (
                NetworkError::new("the response ended early", 5.0, "u").into(),
                "NetworkError",
                "the response ended early",
            ),
            (CallError::AccessToken.into(), "TypeError", "`getAccessToken` must resolve to a non-empty string"),
            (
                ConfigError::Auth(AuthError::MissingApiKey).into(),
                "TypeError",
                "apiKey: authType \"apikey\" requires a non-empty `apiKey`",
            ),
            (
                TIMEOUT_MS.check(-1.0).unwrap_err().into(),
                "TypeError",
                "`timeoutMs` must be a number from 0 to 2147483647",
            ),
        ];
        for (error, name, message) in cases {
            assert_eq!((error.name(), error.to_string().as_str()), (name, message));
        }
    }

    #[test]
    fn a_type_error_names_its_field() {
        let field = |e: Error| match e {
            Error::Argument(a) => a.field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(CallError::AccessToken.into()), "getAccessToken");
        assert_eq!(field(ConfigError::MissingHost.into()), "host");
        assert_eq!(field(ConfigError::InvalidPredictionId { reason: "must not be empty" }.into()), "predictionId");
        assert_eq!(field(TIMEOUT_MS.check(f64::NAN).unwrap_err().into()), "timeoutMs");
    }
}
