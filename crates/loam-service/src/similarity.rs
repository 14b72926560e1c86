//! The in-memory copies of vector settings' vectors that large similarity searches scan
//! ([`VectorCache`], holding [`VectorSet`]s of `vector_set.rs` and their approximate indexes).
//!
//! A copy is keyed by the vector setting and labelled with the setting's version from the
//! database (migration 0006), which every vector write raises in its own transaction: a search
//! first reads the version and uses the copy only when it matches, so every replica on one
//! database answers from what is committed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use loam_domain::VectorSettingsId;

use crate::ann::AnnIndex;
use crate::vector_set::VectorSet;

/// The in-memory vector sets of this process, within a memory budget; least recently used sets
/// are dropped to make room. A set larger than the whole budget is never held: its searches scan
/// the database instead. A set of at least `ann_min_vectors` vectors also gets an approximate
/// index (`ann.rs`), when the budget holds both.
pub(crate) struct VectorCache {
    budget: usize,
    ann_min_vectors: usize,
    entries: Mutex<HashMap<VectorSettingsId, Entry>>,
    /// Loads one set at a time, so concurrent searches wait for a load rather than repeat it.
    pub loading: tokio::sync::Mutex<()>,
    /// Sets read whole from the database, and sets brought up to date by reading only the vectors
    /// written since (`/api/v1/status`).
    pub whole_loads: AtomicU64,
    pub change_loads: AtomicU64,
}

struct Entry {
    set: Arc<VectorSet>,
    used: Instant,
    /// Kept across versions of the set: it is updated, not rebuilt.
    ann: Option<Arc<AnnIndex>>,
}

impl Entry {
    fn bytes(&self) -> usize {
        self.set.bytes() + self.ann.as_ref().map_or(0, |_| AnnIndex::bytes_for(self.set.len(), self.set.dims()))
    }
}

impl VectorCache {
    /// `ann_min_vectors` 0: no approximate index.
    pub(crate) fn new(budget: usize, ann_min_vectors: usize) -> Self {
        Self {
            budget,
            ann_min_vectors,
            entries: Mutex::new(HashMap::new()),
            loading: tokio::sync::Mutex::new(()),
            whole_loads: AtomicU64::new(0),
            change_loads: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<VectorSettingsId, Entry>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The set of `settings` when it was loaded at `version`.
    pub(crate) fn get(&self, settings: VectorSettingsId, version: i64) -> Option<Arc<VectorSet>> {
        let mut entries = self.lock();
        let entry = entries.get_mut(&settings)?;
        if entry.set.version != version {
            return None;
        }
        entry.used = Instant::now();
        Some(entry.set.clone())
    }

    /// The set held for `settings`, at whatever version.
    pub(crate) fn held(&self, settings: VectorSettingsId) -> Option<Arc<VectorSet>> {
        self.lock().get(&settings).map(|it| it.set.clone())
    }

    /// Whether `n` vectors of `dims` dimensions may be held.
    pub(crate) fn fits(&self, n: usize, dims: usize) -> bool {
        VectorSet::bytes_for(n, dims) <= self.budget
    }

    /// Holds `set` for `settings` (replacing an older one, and keeping its approximate index to
    /// update), dropping the least recently used others until the budget holds it.
    pub(crate) fn insert(&self, settings: VectorSettingsId, set: Arc<VectorSet>) {
        if set.bytes() > self.budget {
            return;
        }
        let mut entries = self.lock();
        if entries.get(&settings).is_some_and(|held| held.set.version > set.version) {
            return;
        }
        let ann = entries.remove(&settings).and_then(|it| it.ann);
        let entry = Entry { set, used: Instant::now(), ann };
        Self::make_room(&mut entries, self.budget, entry.bytes());
        entries.insert(settings, entry);
    }

    fn make_room(entries: &mut HashMap<VectorSettingsId, Entry>, budget: usize, wanted: usize) {
        while entries.values().map(Entry::bytes).sum::<usize>() + wanted > budget {
            let Some(oldest) = entries.iter().min_by_key(|(_, it)| it.used).map(|(id, _)| *id) else { break };
            entries.remove(&oldest);
        }
    }

    /// The approximate index of `settings` when it holds exactly `set` (which must be the held
    /// one). `None` when the exact scan should answer: the set is small, the budget does not hold
    /// an index beside it, or the index is being built or updated (which this starts, see
    /// [`AnnIndex::current`]).
    pub(crate) fn index_for(&self, settings: VectorSettingsId, set: &Arc<VectorSet>) -> Option<Arc<usearch::Index>> {
        if self.ann_min_vectors == 0 || set.len() < self.ann_min_vectors {
            return None;
        }
        let ann = {
            let mut entries = self.lock();
            let held = entries.get(&settings).filter(|it| Arc::ptr_eq(&it.set, set))?;
            match &held.ann {
                Some(ann) => ann.clone(),
                None => {
                    let total = set.bytes() + AnnIndex::bytes_for(set.len(), set.dims());
                    if total > self.budget {
                        return None;
                    }
                    let mut entry = entries.remove(&settings)?;
                    let ann = Arc::new(AnnIndex::new(set.dims()));
                    entry.ann = Some(ann.clone());
                    Self::make_room(&mut entries, self.budget, entry.bytes());
                    entries.insert(settings, entry);
                    ann
                }
            }
        };
        ann.current(set)
    }

    /// Bytes held now.
    #[cfg(test)]
    pub(crate) fn held_bytes(&self) -> usize {
        self.lock().values().map(Entry::bytes).sum()
    }

    /// What this cache holds now, for `/api/v1/status`.
    pub(crate) fn status(&self) -> crate::VectorSearchStatus {
        let entries = self.lock();
        crate::VectorSearchStatus {
            approximate_min_vectors: (self.ann_min_vectors > 0).then_some(self.ann_min_vectors),
            budget_bytes: self.budget,
            held_settings: entries.len(),
            held_vectors: entries.values().map(|it| it.set.len()).sum(),
            held_bytes: entries.values().map(Entry::bytes).sum(),
            approximate_indexes: entries.values().filter(|it| it.ann.is_some()).count(),
            whole_loads: self.whole_loads.load(AtomicOrdering::Relaxed),
            change_loads: self.change_loads.load(AtomicOrdering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vector_set::tests::stored;
    use loam_domain::RecordId;

    #[test]
    fn the_cache_serves_only_its_version_and_keeps_to_its_budget() {
        let one = VectorSet::bytes_for(10, 4);
        let cache = VectorCache::new(one * 2, 0);
        let make = |version| {
            let mut set = VectorSet::new(version, 4, 10);
            for seq in 0..10 {
                set.push(seq, RecordId::new(), &stored(&[1.0, 2.0, 3.0, 4.0]));
            }
            Arc::new(set)
        };
        let (a, b, c) = (VectorSettingsId::new(), VectorSettingsId::new(), VectorSettingsId::new());
        cache.insert(a, make(1));
        assert!(cache.get(a, 1).is_some());
        assert!(cache.get(a, 2).is_none(), "a newer version in the database makes the copy stale");
        cache.insert(b, make(1));
        assert!(cache.get(a, 1).is_some());
        cache.insert(c, make(1));
        assert!(cache.get(b, 1).is_none(), "the least recently used set made room");
        assert!(cache.get(a, 1).is_some() && cache.get(c, 1).is_some());
        assert_eq!(cache.held_bytes(), one * 2);
        // An older load finishing late does not replace a newer one.
        cache.insert(a, make(3));
        cache.insert(a, make(2));
        assert!(cache.get(a, 3).is_some());
        assert!(!cache.fits(100, 4));
    }
}
