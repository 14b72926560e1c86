//! Configuration: one set of settings from flags, `LOAM_*` environment variables and an optional
//! TOML file, in that order of precedence, then defaults. The only place that reads the
//! environment.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use serde::Deserialize;

pub const ENV_CONFIG: &str = "LOAM_CONFIG";
pub const ENV_DATA_DIR: &str = "LOAM_DATA_DIR";
pub const ENV_DATABASE_URL: &str = "LOAM_DATABASE_URL";
pub const ENV_BIND: &str = "LOAM_BIND";
pub const ENV_TOKEN_SECRET: &str = "LOAM_TOKEN_SECRET";
pub const ENV_OWNER_USERNAME: &str = "LOAM_OWNER_USERNAME";
pub const ENV_OWNER_PASSWORD: &str = "LOAM_OWNER_PASSWORD";
pub const ENV_OWNER_API_KEY: &str = "LOAM_OWNER_API_KEY";
pub const ENV_ALLOW_WEAK_CREDENTIALS: &str = "LOAM_ALLOW_WEAK_CREDENTIALS";
pub const ENV_BODY_LIMIT_MB: &str = "LOAM_BODY_LIMIT_MB";
pub const ENV_IMPORT_LIMIT_MB: &str = "LOAM_IMPORT_LIMIT_MB";
pub const ENV_HEADER_TIMEOUT_SECS: &str = "LOAM_HEADER_TIMEOUT_SECS";
pub const ENV_BODY_TIMEOUT_SECS: &str = "LOAM_BODY_TIMEOUT_SECS";
pub const ENV_MAX_CONNECTIONS: &str = "LOAM_MAX_CONNECTIONS";
pub const ENV_VECTOR_CACHE_MB: &str = "LOAM_VECTOR_CACHE_MB";
pub const ENV_ANN_MIN_VECTORS: &str = "LOAM_ANN_MIN_VECTORS";
pub const ENV_UI_DIR: &str = "LOAM_UI_DIR";
pub const ENV_SIGN_IN_USERNAME_ALLOWANCE: &str = "LOAM_SIGN_IN_USERNAME_ALLOWANCE";
pub const ENV_SIGN_IN_ADDRESS_ALLOWANCE: &str = "LOAM_SIGN_IN_ADDRESS_ALLOWANCE";
pub const ENV_PASSWORD_HASH_SLOTS: &str = "LOAM_PASSWORD_HASH_SLOTS";
pub const ENV_LEASE_SECS: &str = "LOAM_LEASE_SECS";
pub const ENV_TRUSTED_PROXIES: &str = "LOAM_TRUSTED_PROXIES";
pub const ENV_LOG: &str = "LOAM_LOG";

pub const DEFAULT_BIND: &str = "127.0.0.1:6900";
pub const DEFAULT_DATA_DIR: &str = "./loam-data";
pub const DEFAULT_BODY_LIMIT_MB: usize = 64;
/// 16 GiB: an import's upload is spooled to disk, never held in memory.
pub const DEFAULT_IMPORT_LIMIT_MB: u64 = 16 * 1024;
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 30;
pub const DEFAULT_BODY_TIMEOUT_SECS: u64 = 30;
/// Well under the usual 1024 open files a process may have by default, which the database
/// connections and files share.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
pub const DEFAULT_VECTOR_CACHE_MB: usize = loam_service::DEFAULT_VECTOR_CACHE_BYTES >> 20;

/// Where the data lives; shared by every command.
#[derive(Args, Debug, Clone, Default)]
pub struct StorageArgs {
    /// Directory for the embedded database and server secrets.
    #[arg(long, env = ENV_DATA_DIR, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://FILE or postgres://… (default: a SQLite file in the data dir).
    #[arg(long, env = ENV_DATABASE_URL, global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// A TOML file with any of these settings (flags and environment take precedence).
    #[arg(long, env = ENV_CONFIG, global = true)]
    pub config: Option<PathBuf>,
}

/// Settings of `loam serve`.
#[derive(Args, Debug, Clone, Default)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the bound address is printed).
    #[arg(long, env = ENV_BIND)]
    pub bind: Option<String>,
    /// Secret that signs sign-in tokens; generated once and kept in the data dir when unset.
    #[arg(long, env = ENV_TOKEN_SECRET, hide_env_values = true)]
    pub token_secret: Option<String>,
    /// Username of the owner created on first start.
    #[arg(long, env = ENV_OWNER_USERNAME)]
    pub owner_username: Option<String>,
    /// Password of the owner created on first start.
    #[arg(long, env = ENV_OWNER_PASSWORD, hide_env_values = true)]
    pub owner_password: Option<String>,
    /// API key of the owner created on first start.
    #[arg(long, env = ENV_OWNER_API_KEY, hide_env_values = true)]
    pub owner_api_key: Option<String>,
    /// Development only: accept well-known or short owner credentials.
    #[arg(long, env = ENV_ALLOW_WEAK_CREDENTIALS)]
    pub allow_weak_credentials: bool,
    /// Largest request body accepted, in MiB.
    #[arg(long, env = ENV_BODY_LIMIT_MB)]
    pub body_limit_mb: Option<usize>,
    /// Largest file an import (`POST /api/v1/datasets/{id}/import`) accepts, in MiB.
    #[arg(long, env = ENV_IMPORT_LIMIT_MB, value_parser = clap::value_parser!(u64).range(1..))]
    pub import_limit_mb: Option<u64>,
    /// Seconds a request's headers may take to arrive; also how long an idle keep-alive
    /// connection is kept.
    #[arg(long, env = ENV_HEADER_TIMEOUT_SECS, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout_secs: Option<u64>,
    /// Seconds a request body may go without sending 1 KiB more (or its end) before it is cut
    /// off with a 408; also how long a response may wait for the client to read any of it.
    #[arg(long, env = ENV_BODY_TIMEOUT_SECS, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout_secs: Option<u64>,
    /// Connections served at once; more wait to be accepted until one closes.
    #[arg(long, env = ENV_MAX_CONNECTIONS, value_parser = clap::value_parser!(u64).range(1..100_000))]
    pub max_connections: Option<u64>,
    /// Memory for vectors kept for similarity search, in MiB (0: always scan the database).
    #[arg(long, env = ENV_VECTOR_CACHE_MB)]
    pub vector_cache_mb: Option<usize>,
    /// Vector settings with at least this many vectors answer unfiltered similarity searches from
    /// an approximate (HNSW) index, built in the background (0: always the exact scan).
    #[arg(long, env = ENV_ANN_MIN_VECTORS)]
    pub ann_min_vectors: Option<usize>,
    /// Development: serve the web UI from this directory (e.g. `ui`) instead of the files built
    /// into the binary, so a reload shows an edit.
    #[arg(long, env = ENV_UI_DIR)]
    pub ui_dir: Option<PathBuf>,
    /// Failed sign-ins allowed per username (case-folded; unknown ones too) before each further
    /// attempt waits 1 s, 2 s, 4 s, … up to 15 minutes (429 meanwhile); 0: no limit.
    #[arg(long, env = ENV_SIGN_IN_USERNAME_ALLOWANCE)]
    pub sign_in_username_allowance: Option<u32>,
    /// The same per client address (IPv6: per /64). Behind a reverse proxy, name it in
    /// `--trusted-proxies` so that each client counts by its own address.
    #[arg(long, env = ENV_SIGN_IN_ADDRESS_ALLOWANCE)]
    pub sign_in_address_allowance: Option<u32>,
    /// Password hashes computed at once (19 MiB each); more wait in a bounded queue (503 beyond
    /// it). Default: half the cores, within a sixteenth of the memory.
    #[arg(long, env = ENV_PASSWORD_HASH_SLOTS)]
    pub password_hash_slots: Option<usize>,
    /// Seconds the web UI's Pending queue leases a record to the annotator it shows it to
    /// (renewed while shown; 1 to 86400, default 300).
    #[arg(long, env = ENV_LEASE_SECS, value_parser = clap::value_parser!(i64).range(1..=86_400))]
    pub lease_secs: Option<i64>,
    /// Reverse proxies in front of loam, comma-separated networks or addresses
    /// (`10.0.0.0/8,192.0.2.7`): from them, the client's address is the one their
    /// `X-Forwarded-For` names (read from the right, trusted hops skipped), so the sign-in
    /// throttle counts each client apart. From any other peer the header is ignored.
    #[arg(long, env = ENV_TRUSTED_PROXIES)]
    pub trusted_proxies: Option<loam_http::TrustedProxies>,
}

/// The TOML file: the same keys as the flags, with underscores.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub bind: Option<String>,
    pub token_secret: Option<String>,
    pub owner_username: Option<String>,
    pub owner_password: Option<String>,
    pub owner_api_key: Option<String>,
    pub allow_weak_credentials: Option<bool>,
    pub body_limit_mb: Option<usize>,
    pub import_limit_mb: Option<u64>,
    pub header_timeout_secs: Option<u64>,
    pub body_timeout_secs: Option<u64>,
    pub max_connections: Option<u64>,
    pub vector_cache_mb: Option<usize>,
    pub ann_min_vectors: Option<usize>,
    pub ui_dir: Option<PathBuf>,
    pub sign_in_username_allowance: Option<u32>,
    pub sign_in_address_allowance: Option<u32>,
    pub password_hash_slots: Option<usize>,
    pub lease_secs: Option<i64>,
    pub trusted_proxies: Option<Vec<String>>,
}

pub const EXAMPLE: &str = include_str!("../loam.example.toml");

impl FileConfig {
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path).with_context(|| format!("reading config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))
    }
}

/// Settings after merging every source.
pub struct Resolved {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub serve: ServeArgs,
}

impl std::fmt::Debug for Resolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolved")
            .field("data_dir", &self.data_dir)
            .field("database_url", &loam_service::StoreConfig { url: self.database_url.clone(), max_connections: 0 })
            .field("bind", &self.serve.bind)
            .finish_non_exhaustive()
    }
}

pub fn resolve(storage: &StorageArgs, serve: &ServeArgs) -> anyhow::Result<Resolved> {
    let file = FileConfig::load(storage.config.as_deref())?;
    let data_dir = storage.data_dir.clone().or(file.data_dir).unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
    let database_url = match storage.database_url.clone().or(file.database_url) {
        Some(url) => url,
        None => format!("sqlite://{}", data_dir.join("loam.db").display()),
    };
    let serve = ServeArgs {
        bind: serve.bind.clone().or(file.bind).or_else(|| Some(DEFAULT_BIND.to_owned())),
        token_secret: serve.token_secret.clone().or(file.token_secret),
        owner_username: serve.owner_username.clone().or(file.owner_username),
        owner_password: serve.owner_password.clone().or(file.owner_password),
        owner_api_key: serve.owner_api_key.clone().or(file.owner_api_key),
        allow_weak_credentials: serve.allow_weak_credentials || file.allow_weak_credentials.unwrap_or(false),
        body_limit_mb: serve.body_limit_mb.or(file.body_limit_mb).or(Some(DEFAULT_BODY_LIMIT_MB)),
        import_limit_mb: positive(
            "import_limit_mb",
            serve.import_limit_mb.or(file.import_limit_mb).unwrap_or(DEFAULT_IMPORT_LIMIT_MB),
        )?,
        header_timeout_secs: positive(
            "header_timeout_secs",
            serve.header_timeout_secs.or(file.header_timeout_secs).unwrap_or(DEFAULT_HEADER_TIMEOUT_SECS),
        )?,
        body_timeout_secs: positive(
            "body_timeout_secs",
            serve.body_timeout_secs.or(file.body_timeout_secs).unwrap_or(DEFAULT_BODY_TIMEOUT_SECS),
        )?,
        max_connections: positive(
            "max_connections",
            serve.max_connections.or(file.max_connections).unwrap_or(DEFAULT_MAX_CONNECTIONS as u64),
        )?,
        vector_cache_mb: serve.vector_cache_mb.or(file.vector_cache_mb).or(Some(DEFAULT_VECTOR_CACHE_MB)),
        ann_min_vectors: serve.ann_min_vectors.or(file.ann_min_vectors).or(Some(loam_service::DEFAULT_ANN_MIN_VECTORS)),
        ui_dir: serve.ui_dir.clone().or(file.ui_dir),
        sign_in_username_allowance: serve.sign_in_username_allowance.or(file.sign_in_username_allowance),
        sign_in_address_allowance: serve.sign_in_address_allowance.or(file.sign_in_address_allowance),
        password_hash_slots: serve.password_hash_slots.or(file.password_hash_slots),
        lease_secs: serve.lease_secs.or(file.lease_secs),
        trusted_proxies: match (&serve.trusted_proxies, file.trusted_proxies) {
            (Some(flag), _) => Some(flag.clone()),
            (None, Some(list)) => Some(
                list.iter()
                    .map(|it| loam_http::parse_trusted_proxy(it))
                    .collect::<Result<Vec<_>, _>>()
                    .map(loam_http::TrustedProxies::new)
                    .map_err(|err| anyhow::anyhow!("trusted_proxies: {err}"))?,
            ),
            (None, None) => None,
        },
    };
    Ok(Resolved { data_dir, database_url, serve })
}

/// A setting that must be at least 1 (the flags check it too; this is for the file).
fn positive(key: &str, value: u64) -> anyhow::Result<Option<u64>> {
    if value == 0 {
        anyhow::bail!("{key} must be at least 1");
    }
    Ok(Some(value))
}
