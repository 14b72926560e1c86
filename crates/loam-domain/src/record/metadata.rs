//! A record's metadata checked against the dataset's metadata properties.

use serde_json::{Map, Value};

use crate::error::Invalid;
use crate::settings::MetadataSettings;

/// What a metadata check needs to know of a metadata property.
#[derive(Clone, Copy, Debug)]
pub struct MetadataRef<'a> {
    pub name: &'a str,
    pub settings: &'a MetadataSettings,
}

/// Validates a record's metadata (model.md §7 item 2); `dataset_id` is used in the message.
pub fn check_metadata(
    metadata: &Map<String, Value>,
    props: &[MetadataRef<'_>],
    allow_extra: bool,
    dataset_id: &str,
) -> Result<(), Invalid> {
    for (name, value) in metadata {
        match props.iter().find(|prop| prop.name == name) {
            Some(prop) => {
                if value.is_null() {
                    continue;
                }
                if let Err(reason) = prop.settings.check_value(value) {
                    return Err(Invalid(format!(
                        "metadata is not valid: '{name}' metadata property validation failed because {reason}"
                    )));
                }
            }
            None if !allow_extra => {
                return Err(Invalid(format!(
                    "metadata is not valid: '{name}' metadata property does not exists for dataset '{dataset_id}' and extra metadata is not allowed for this dataset"
                )));
            }
            None => {}
        }
    }
    Ok(())
}
