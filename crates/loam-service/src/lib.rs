//! loam-service: the use cases of loam, the API boundary for `loam-http` and `loam-cli`.
//!
//! Every operation takes the acting [`User`] (or is explicitly anonymous, like sign-in), checks
//! the permission matrix of `spec/model.md` §3 here — never in the HTTP layer — runs in one store
//! transaction, and returns domain types. Errors are [`Error`], the vocabulary of outcomes that
//! the HTTP layer renders.

pub mod agreement;
mod ann;
mod auth;
mod consolidation;
mod copy;
mod datasets;
mod delivery;
mod error;
mod export;
mod hashing;
pub mod import;
mod judges;
mod leases;
mod outbox;
mod overview;
mod pairwise;
mod policy;
mod records;
mod response_write;
mod responses;
mod review;
mod search;
mod settings;
mod similarity;
mod time_on_task;
mod users;
mod vector_set;
mod webhooks;
pub mod wire;
mod workspaces;

use loam_domain::settings::Limits;
use loam_domain::Timestamp;
use loam_store::Store;

pub use auth::{
    generate_api_key, generate_password, is_weak_api_key, Credentials, SignInConfig, DEFAULT_ADDRESS_THROTTLE,
    DEFAULT_USERNAME_THROTTLE,
};
pub use consolidation::{FinalsPage, QuestionStrategy, RecordFinals};
pub use copy::CopyCounts;
pub use datasets::{DatasetFilter, DatasetPatch, MyMetrics, NewDataset, Progress, ProgressWatch};
pub use delivery::{sign as sign_webhook, DeliveryStep, MAX_ATTEMPTS as WEBHOOK_MAX_ATTEMPTS};
pub use error::Error;
pub use export::{
    BelowMin, BoxedWriter, Export, ExportRequest, ExportStats, PumpError, Shape as ExportShape, BATCHES_IN_FLIGHT,
    BATCH_RECORDS, BELOW_MIN_SUBMITTED,
};
pub use hashing::{HashingConfig, HashingStatus};
pub use import::file::{
    FileImport, ImportFormat, ImportObserver, ImportPreview, ImportProgress, ImportReport, PreviewRow, Quiet, RowError,
};
pub use judges::{NewJudgement, MAX_JUDGEMENTS};
pub use leases::{Lease, NextRecord};
pub use overview::{DatasetOverview, Team};
pub use pairwise::{MarkPairwise, PairwiseAnswer, SwitchPairwise};
pub use records::{
    Include, NewRecord, NewResponseItem, NewSuggestionItem, RecordPatch, RecordView, UpsertRecord, VectorsInclude,
};
pub use response_write::Flow;
pub use responses::{BulkResponseItem, ResponseSave};
pub use review::{Decision, QueueItem, QueuePage, RecordReview, Returned, ReviewedResponse, Reviewer};
pub use search::{LegacyParams, MetadataMetrics, SearchAs, MAX_SIMILAR};
pub use settings::{
    FieldPatch, MetadataPropertyPatch, NewField, NewMetadataProperty, NewQuestion, NewVectorSettings, QuestionPatch,
};
pub use time_on_task::TeamTime;
pub use users::{NewUser, UserPatch};
pub use webhooks::{NewWebhook, WebhookPatch, EVENTS as WEBHOOK_EVENTS};

pub use loam_domain as domain;
pub use loam_store::StoreConfig;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What the service needs to know beyond storage.
#[derive(Clone)]
pub struct ServiceConfig {
    /// Key that signs sign-in tokens (HS256).
    pub token_secret: Vec<u8>,
    /// Lifetime of sign-in tokens, in seconds.
    pub token_ttl_secs: i64,
    pub limits: Limits,
    /// Memory for vectors held for similarity search, in bytes (see `similarity.rs`).
    pub vector_cache_bytes: usize,
    /// Vector settings with at least this many vectors get an approximate index for unfiltered
    /// similarity searches (see `ann.rs`); 0: always the exact scan.
    pub ann_min_vectors: usize,
    /// Sign-in throttling and password hashing (`auth.rs`, `hashing.rs`).
    pub sign_in: SignInConfig,
    /// How long the web UI's leases of records last (`leases.rs`).
    pub lease_term: loam_domain::lease::LeaseTerm,
}

impl std::fmt::Debug for ServiceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceConfig")
            .field("token_secret", &"***")
            .field("token_ttl_secs", &self.token_ttl_secs)
            .field("limits", &self.limits)
            .field("vector_cache_bytes", &self.vector_cache_bytes)
            .field("ann_min_vectors", &self.ann_min_vectors)
            .field("sign_in", &self.sign_in)
            .field("lease_term", &self.lease_term)
            .finish()
    }
}

pub struct Service {
    store: Store,
    cfg: ServiceConfig,
    /// Sends webhook deliveries (`delivery.rs`).
    http: reqwest::Client,
    /// Vectors held in memory for similarity search (`similarity.rs`).
    vectors: similarity::VectorCache,
    /// Datasets' settings, checked against their settings version (`settings.rs`).
    schemas: settings::SchemaCache,
    /// The bounded slots every password hash runs in (`hashing.rs`).
    hasher: hashing::Hasher,
}

impl Service {
    pub async fn open(store_cfg: &StoreConfig, cfg: ServiceConfig) -> Result<Self> {
        let store = Store::open(store_cfg).await?;
        let vectors = similarity::VectorCache::new(cfg.vector_cache_bytes, cfg.ann_min_vectors);
        let hasher = hashing::Hasher::new(cfg.sign_in.hashing);
        Ok(Self {
            store,
            cfg,
            http: delivery::http_client(),
            vectors,
            schemas: settings::SchemaCache::default(),
            hasher,
        })
    }

    pub fn backend(&self) -> &'static str {
        self.store.backend()
    }

    pub async fn close(&self) {
        self.store.close().await;
    }

    /// From now on the SQLite database file is read without memory-mapping it: for a process
    /// that does one long bulk write (`loam import file`), whose resident memory should stay
    /// flat however large the database grows (`Store::stop_mapping_file`).
    pub fn stop_mapping_database(&self) {
        self.store.stop_mapping_file();
    }

    /// Waits until no approximate similarity index of this process is being built or updated in
    /// the background (tests and benchmarks, which want the index to answer), at most `limit`.
    /// Returns whether none is.
    pub async fn similarity_indexes_settled(&self, limit: std::time::Duration) -> bool {
        let started = std::time::Instant::now();
        while ann::AnnIndex::running() > 0 {
            if started.elapsed() > limit {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        true
    }

    /// How similarity searches are answered, and what this process holds for them now.
    pub fn vector_search_status(&self) -> VectorSearchStatus {
        self.vectors.status()
    }

    /// The password-hashing slots: their number, the queue, who is inside, hashes computed.
    pub fn password_hashing_status(&self) -> HashingStatus {
        self.hasher.status()
    }

    /// Whether the database answers within two seconds (`/api/v1/status`, health checks).
    pub async fn database_available(&self) -> bool {
        self.store.ping(std::time::Duration::from_secs(2)).await.is_ok()
    }

    /// One step of background upkeep: merges about `MERGE_STEP_PAGES` pages of the text
    /// index's segments in its own short write transaction (a request that arrives meanwhile
    /// waits for at most this step), then checkpoints the WAL without blocking writers. Returns whether there was work; the server calls it again
    /// at once while there is, and every so often when there was not.
    pub async fn upkeep_step(&self) -> Result<bool> {
        let mut tx = self.store.write().await?;
        let merged = loam_store::text_index::merge_index_step(&mut tx, MERGE_STEP_PAGES).await?;
        tx.commit().await?;
        self.store.checkpoint().await?;
        Ok(merged)
    }
}

/// How similarity searches are answered (`Service::vector_search_status`): always exactly from the
/// stored vectors, scanned in memory while they fit `budget_bytes` (from the database otherwise),
/// and proposed by an approximate index for vector settings of at least `approximate_min_vectors`
/// vectors (`None`: never).
#[derive(Clone, Debug, PartialEq)]
pub struct VectorSearchStatus {
    pub approximate_min_vectors: Option<usize>,
    pub budget_bytes: usize,
    /// Vector settings whose vectors this process holds in memory now.
    pub held_settings: usize,
    pub held_vectors: usize,
    /// Their memory, approximate indexes included.
    pub held_bytes: usize,
    /// Held settings with an approximate index (built, or being built).
    pub approximate_indexes: usize,
    /// Since start: vector settings read whole into memory, and held ones brought up to date by
    /// reading only the vectors written since.
    pub whole_loads: u64,
    pub change_loads: u64,
}

/// The default of [`ServiceConfig::vector_cache_bytes`]: 2 GiB, a million 512-dimension vectors.
pub const DEFAULT_VECTOR_CACHE_BYTES: usize = 2 << 30;

/// The default of [`ServiceConfig::ann_min_vectors`]. Below it the exact scan answers within
/// about 70 ms on two cores at 256 dimensions (35 ms at a million vectors), and it is exact; above
/// it the scan's time grows with the set, the index's barely.
pub const DEFAULT_ANN_MIN_VECTORS: usize = 2_000_000;

/// Pages of index merged per background step: a few milliseconds of work.
const MERGE_STEP_PAGES: i64 = 200;

/// The current time, as every write stamps it.
pub(crate) fn now() -> Timestamp {
    Timestamp::from_offset(time::OffsetDateTime::now_utc())
}
