//! One record vector checked against the dataset's vector settings of that name.

use serde_json::Value;

use crate::error::Invalid;

/// Validates one record vector: `dimensions` is the size of the dataset's vector settings named
/// `name` (`None` when the dataset has none by that name). Returns the values to store; the
/// reasons are bare (the caller adds `"record does not have valid vectors: "`).
pub fn check_vector(name: &str, value: &Value, dimensions: Option<i64>, dataset_id: &str) -> Result<Vec<f64>, Invalid> {
    // The shape first, as the reference's request schema rejects it before any rule.
    let not_numbers = || Invalid(format!("vector value for vector name={name} must be a list of numbers"));
    let items = value.as_array().ok_or_else(not_numbers)?;
    let mut numbers = Vec::with_capacity(items.len());
    for item in items {
        let number = item.as_f64().ok_or_else(not_numbers)?;
        if !number.is_finite() {
            return Err(Invalid(format!("vector value for vector name={name} must only contain finite numbers")));
        }
        numbers.push(number);
    }
    let Some(dimensions) = dimensions else {
        return Err(Invalid(format!("vector with name={name} does not exist for dataset_id={dataset_id}")));
    };
    if i64::try_from(numbers.len()).ok() != Some(dimensions) {
        return Err(Invalid(format!(
            "vector value for vector name={name} must have {dimensions} elements, got {} elements",
            numbers.len()
        )));
    }
    Ok(numbers)
}
