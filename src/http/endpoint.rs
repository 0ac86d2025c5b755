//! The endpoints of the AutoML predictions API, their HTTP methods and rate-limit tiers.
//!
//! The datasets are listed once, in the `datasets!` invocation below: the enum, its names, and the TypeScript
//! type of the names ([`Dataset::TYPESCRIPT`], which the package's declarations import) all
//! come from that list. `js/datasets.js` holds the same list for JavaScript (the package's
//! `DATASETS` export); a test checks that the two agree.

use core::fmt;

/// Declares [`Dataset`] from one list of `Variant => "name", "description"`.
macro_rules! datasets {
    ($($variant:ident => $name:literal, $doc:literal;)+) => {
        /// A result file of a prediction, downloadable as CSV.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Dataset {
            $(#[doc = concat!("`", $name, "`: ", $doc)] $variant,)+
        }

        impl Dataset {
            /// Every dataset, in the order of the API reference's table of contents.
            pub const ALL: &'static [Dataset] = &[$(Dataset::$variant),+];

            /// The TypeScript type of a dataset's name, with the description of each.
            pub const TYPESCRIPT: &'static str = concat!(
                "/** A result file of an AutoML prediction. */\nexport type Dataset =",
                $("\n  /** ", $doc, " */\n  | '", $name, "'",)+
                ";\n",
            );

            /// The dataset whose path segment is exactly `name` (case-sensitive, no trimming).
            pub fn parse(name: &str) -> Option<Dataset> {
                match name {
                    $($name => Some(Dataset::$variant),)+
                    _ => None,
                }
            }

            /// The path segment naming the dataset, as accepted by [`Dataset::parse`].
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Dataset::$variant => $name,)+
                }
            }
        }
    };
}

datasets! {
    Predictions => "predictions", "the predicted values.";
    Shap => "shap", "SHAP values in wide form.";
    CoordinateShap => "coordinate-shap", "SHAP values in long (coordinate) form.";
    NotPredictedReasons => "not-predicted-reasons", "rows for which no prediction could be produced.";
    Source => "source", "the source rows with their index field.";
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Qlik Cloud rate-limit tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// Tier 1: 1000 requests per minute.
    One,
    /// Tier 2: 100 requests per minute.
    Two,
}

impl Tier {
    /// The documented number of requests per minute of the tier.
    pub fn documented_limit_per_minute(self) -> u32 {
        match self {
            Tier::One => 1000,
            Tier::Two => 100,
        }
    }
}

/// One API operation under `/api/v1/automl-predictions/{predictionId}/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `GET .../{predictionId}/{dataset}`: one result file.
    Dataset(Dataset),
    /// `POST .../{predictionId}/jobs`: the jobs of the prediction.
    Jobs,
}

impl Endpoint {
    /// The HTTP method: `GET` for datasets, `POST` for jobs.
    pub fn method(self) -> &'static str {
        match self {
            Endpoint::Dataset(_) => "GET",
            Endpoint::Jobs => "POST",
        }
    }

    /// Whether the request can be sent again without repeating an effect (a `GET`).
    pub fn is_idempotent(self) -> bool {
        matches!(self, Endpoint::Dataset(_))
    }

    /// The rate-limit tier: tier 1 for datasets, tier 2 for jobs.
    pub fn tier(self) -> Tier {
        match self {
            Endpoint::Dataset(_) => Tier::One,
            Endpoint::Jobs => Tier::Two,
        }
    }

    /// The last path segment, after `{predictionId}/`.
    pub fn path_segment(self) -> &'static str {
        match self {
            Endpoint::Dataset(d) => d.as_str(),
            Endpoint::Jobs => "jobs",
        }
    }

    /// Whether the endpoint takes the optional `refId` query parameter.
    pub fn accepts_ref_id(self) -> bool {
        matches!(self, Endpoint::Dataset(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_exactly_the_five_names() {
        assert_eq!(Dataset::ALL.len(), 5);
        for &d in Dataset::ALL {
            assert_eq!(Dataset::parse(d.as_str()), Some(d));
            assert_eq!(d.to_string(), d.as_str());
        }
        assert_eq!(Dataset::parse("coordinate-shap"), Some(Dataset::CoordinateShap));
        assert_eq!(Dataset::parse("not-predicted-reasons"), Some(Dataset::NotPredictedReasons));
        for bad in [
            "",
            "Predictions",
            "SHAP",
            " shap",
            "shap ",
            "coordinate_shap",
            "coordinateShap",
            "notPredictedReasons",
            "jobs",
            "predictions/",
            "source\0",
        ] {
            assert_eq!(Dataset::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_typescript_type_lists_every_name() {
        let names: Vec<&str> = Dataset::TYPESCRIPT.split('\'').skip(1).step_by(2).collect();
        let expected: Vec<&str> = Dataset::ALL.iter().map(|d| d.as_str()).collect();
        assert_eq!(names, expected);
        assert!(Dataset::TYPESCRIPT.starts_with("/** A result file of an AutoML prediction. */\nexport type Dataset ="));
        assert!(Dataset::TYPESCRIPT.contains("/** SHAP values in wide form. */\n  | 'shap'"));
    }

    /// `js/datasets.js`, the package's `DATASETS` export, lists the same names in the same
    /// order.
    #[test]
    fn the_javascript_list_is_the_same() {
        let js = include_str!("../../js/datasets.js");
        let list = js.split_once("Object.freeze([").and_then(|(_, rest)| rest.split_once("])")).map(|(l, _)| l);
        let names: Vec<&str> = list.expect("DATASETS = Object.freeze([...])").split('\'').skip(1).step_by(2).collect();
        let expected: Vec<&str> = Dataset::ALL.iter().map(|d| d.as_str()).collect();
        assert_eq!(names, expected);
    }

    #[test]
    fn methods_tiers_and_segments() {
        for &d in Dataset::ALL {
            let e = Endpoint::Dataset(d);
            assert_eq!(e.method(), "GET");
            assert!(e.is_idempotent());
            assert_eq!(e.tier(), Tier::One);
            assert_eq!(e.path_segment(), d.as_str());
            assert!(e.accepts_ref_id());
        }
        assert_eq!(Endpoint::Jobs.method(), "POST");
        assert!(!Endpoint::Jobs.is_idempotent());
        assert_eq!(Endpoint::Jobs.tier(), Tier::Two);
        assert_eq!(Endpoint::Jobs.path_segment(), "jobs");
        assert!(!Endpoint::Jobs.accepts_ref_id());
        assert_eq!(Tier::One.documented_limit_per_minute(), 1000);
        assert_eq!(Tier::Two.documented_limit_per_minute(), 100);
    }
}
