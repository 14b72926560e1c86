//! Time on task (issue 20): the active time the web UI measures on a record and sends with each
//! save of a response, and the figures made of it per annotator.
//!
//! A save carries the active milliseconds spent since the previous save of the same record
//! (`loam_active_ms`, a loam extension the SDKs never send). It must be a whole number from 0 to
//! [`MAX_ACTIVE_MS_PER_SAVE`]; anything else is refused (422), never stored or capped: the web
//! UI saves a draft every few seconds of work and stops counting after a minute without input,
//! so a larger figure is a client's mistake, and the save it came with is refused whole.

/// The most active time one save may carry: one hour.
pub const MAX_ACTIVE_MS_PER_SAVE: i64 = 3_600_000;

/// Why a sent active time is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActiveTimeError {
    NotAnInteger,
    Negative,
    TooLarge,
}

impl ActiveTimeError {
    pub fn message(self) -> String {
        match self {
            Self::NotAnInteger => "Input should be a valid integer (milliseconds of active time)".to_owned(),
            Self::Negative => "Input should be greater than or equal to 0".to_owned(),
            Self::TooLarge => format!("Input should be less than or equal to {MAX_ACTIVE_MS_PER_SAVE}"),
        }
    }
}

/// Checks a sent active time (`None` when the key was absent: a save with no time).
pub fn check_active_ms(value: Option<&serde_json::Value>) -> Result<Option<i64>, ActiveTimeError> {
    let Some(value) = value else { return Ok(None) };
    if value.is_null() {
        return Ok(None);
    }
    let ms = value.as_i64().ok_or(if value.as_f64().is_some_and(|it| it < 0.0) {
        ActiveTimeError::Negative
    } else if value.is_u64() {
        ActiveTimeError::TooLarge
    } else {
        ActiveTimeError::NotAnInteger
    })?;
    match ms {
        ms if ms < 0 => Err(ActiveTimeError::Negative),
        ms if ms > MAX_ACTIVE_MS_PER_SAVE => Err(ActiveTimeError::TooLarge),
        ms => Ok(Some(ms)),
    }
}

/// One annotator's (or the team's) time figures on a dataset.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Throughput {
    /// Active time over every record they worked on, answered or not.
    pub active_ms: i64,
    /// Records with measured time whose response is submitted or discarded.
    pub done: i64,
    /// The median active time of those records (`None` when there are none).
    pub median_ms: Option<f64>,
}

impl Throughput {
    /// Done records per hour of active time (`None` when no active time was measured).
    pub fn records_per_hour(&self) -> Option<f64> {
        (self.active_ms > 0).then(|| self.done as f64 * 3_600_000.0 / self.active_ms as f64)
    }
}

/// The median of sorted values (`None` when empty).
pub fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let mid = n / 2;
    Some(if n % 2 == 1 { sorted[mid] as f64 } else { (sorted[mid - 1] as f64 + sorted[mid] as f64) / 2.0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn active_time_is_a_whole_number_of_milliseconds_within_an_hour() {
        assert_eq!(check_active_ms(None), Ok(None));
        assert_eq!(check_active_ms(Some(&json!(null))), Ok(None));
        assert_eq!(check_active_ms(Some(&json!(0))), Ok(Some(0)));
        assert_eq!(check_active_ms(Some(&json!(3_600_000))), Ok(Some(3_600_000)));
        assert_eq!(check_active_ms(Some(&json!(3_600_001))), Err(ActiveTimeError::TooLarge));
        assert_eq!(check_active_ms(Some(&json!(u64::MAX))), Err(ActiveTimeError::TooLarge));
        assert_eq!(check_active_ms(Some(&json!(-1))), Err(ActiveTimeError::Negative));
        assert_eq!(check_active_ms(Some(&json!(-0.5))), Err(ActiveTimeError::Negative));
        assert_eq!(check_active_ms(Some(&json!(1.5))), Err(ActiveTimeError::NotAnInteger));
        assert_eq!(check_active_ms(Some(&json!("12"))), Err(ActiveTimeError::NotAnInteger));
    }

    #[test]
    fn throughput_and_median() {
        let it = Throughput { active_ms: 1_800_000, done: 3, median_ms: median(&[1, 2, 3]) };
        assert_eq!(it.records_per_hour(), Some(6.0));
        assert_eq!(it.median_ms, Some(2.0));
        assert_eq!(median(&[10, 20]), Some(15.0));
        assert_eq!(median(&[]), None);
        assert_eq!(Throughput::default().records_per_hour(), None);
    }
}
