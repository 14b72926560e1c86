//! `loam db copy`: move a team's data between databases (SQLite ⇄ PostgreSQL) without losing a
//! row: users and their key digests, workspaces, datasets and settings, records, responses,
//! suggestions, vectors, webhooks, timestamps. The text index is rebuilt in the target's form.

use loam_store::{copy, datasets, records, settings as store_settings};

use crate::{Error, Result, Service};

/// Rows copied per table.
pub type CopyCounts = Vec<(&'static str, u64)>;

impl Service {
    /// Copies everything in this service's database into `target`'s, which must hold no users
    /// yet. All of it lands in one transaction on the target: a failed copy leaves it empty.
    pub async fn copy_into(&self, target: &Service) -> Result<CopyCounts> {
        let mut from = self.store.read().await?;
        let mut to = target.store.write().await?;
        if !copy::is_empty(&mut to).await? {
            return Err(Error::Conflict(
                "the target database already holds users; loam copies only into an empty database".to_owned(),
            ));
        }
        let counts = copy::copy_all(&mut from, &mut to).await?;
        for ds in datasets::list_datasets(&mut to, None).await? {
            let schema = store_settings::load_schema(&mut to, ds.id).await?;
            records::index_dataset_texts(&mut to, ds.id, &schema).await?;
        }
        to.commit().await?;
        Ok(counts)
    }
}
