//! The endpoints of the AutoML predictions API, their HTTP methods and rate-limit tiers.

use std::fmt;

/// A result file of a prediction, downloadable as CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dataset {
    /// `predictions`: the predicted values.
    Predictions,
    /// `shap`: SHAP values in wide form.
    Shap,
    /// `coordinate-shap`: SHAP values in long (coordinate) form.
    CoordinateShap,
    /// `not-predicted-reasons`: rows for which no prediction could be produced.
    NotPredictedReasons,
    /// `source`: the source rows with their index field.
    Source,
}

impl Dataset {
    /// Every dataset, in the order of the API reference's table of contents.
    pub const ALL: [Dataset; 5] =
        [Dataset::Predictions, Dataset::Shap, Dataset::CoordinateShap, Dataset::NotPredictedReasons, Dataset::Source];

    /// The dataset whose path segment is exactly `name` (case-sensitive, no trimming).
    pub fn parse(name: &str) -> Option<Dataset> {
        match name {
            "predictions" => Some(Dataset::Predictions),
            "shap" => Some(Dataset::Shap),
            "coordinate-shap" => Some(Dataset::CoordinateShap),
            "not-predicted-reasons" => Some(Dataset::NotPredictedReasons),
            "source" => Some(Dataset::Source),
            _ => None,
        }
    }

    /// The path segment naming the dataset, as accepted by [`Dataset::parse`].
    pub fn as_str(self) -> &'static str {
        match self {
            Dataset::Predictions => "predictions",
            Dataset::Shap => "shap",
            Dataset::CoordinateShap => "coordinate-shap",
            Dataset::NotPredictedReasons => "not-predicted-reasons",
            Dataset::Source => "source",
        }
    }
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

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tier::One => f.write_str("tier 1"),
            Tier::Two => f.write_str("tier 2"),
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
    /// Every endpoint.
    pub const ALL: [Endpoint; 6] = [
        Endpoint::Dataset(Dataset::Predictions),
        Endpoint::Dataset(Dataset::Shap),
        Endpoint::Dataset(Dataset::CoordinateShap),
        Endpoint::Dataset(Dataset::NotPredictedReasons),
        Endpoint::Dataset(Dataset::Source),
        Endpoint::Jobs,
    ];

    /// The HTTP method: `GET` for datasets, `POST` for jobs.
    pub fn method(self) -> &'static str {
        match self {
            Endpoint::Dataset(_) => "GET",
            Endpoint::Jobs => "POST",
        }
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

impl From<Dataset> for Endpoint {
    fn from(d: Dataset) -> Endpoint {
        Endpoint::Dataset(d)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method(), self.path_segment())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_exactly_the_five_names() {
        for d in Dataset::ALL {
            assert_eq!(Dataset::parse(d.as_str()), Some(d));
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
    fn methods_tiers_and_segments() {
        for d in Dataset::ALL {
            let e = Endpoint::Dataset(d);
            assert_eq!(e.method(), "GET");
            assert_eq!(e.tier(), Tier::One);
            assert_eq!(e.path_segment(), d.as_str());
            assert!(e.accepts_ref_id());
            assert_eq!(Endpoint::from(d), e);
        }
        assert_eq!(Endpoint::Jobs.method(), "POST");
        assert_eq!(Endpoint::Jobs.tier(), Tier::Two);
        assert_eq!(Endpoint::Jobs.path_segment(), "jobs");
        assert!(!Endpoint::Jobs.accepts_ref_id());
        assert_eq!(Tier::One.documented_limit_per_minute(), 1000);
        assert_eq!(Tier::Two.documented_limit_per_minute(), 100);
        assert_eq!(Endpoint::Jobs.to_string(), "POST jobs");
    }
}
