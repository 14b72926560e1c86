//! The `loam` binary: `serve`, user and workspace administration, configuration.
//!
//! This is the only place that reads the environment or installs tracing. Administrative
//! commands call the service layer directly, never the HTTP API.

mod config;
mod export;
mod import;

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use loam_domain::Role;
use loam_service::{HashingConfig, NewUser, Service, ServiceConfig, SignInConfig, StoreConfig};

use crate::config::{Resolved, ServeArgs, StorageArgs};

#[derive(Parser, Debug)]
#[command(name = "loam", version, about = "Human feedback collection for LLM data, Argilla-compatible, in one binary.")]
struct Cli {
    #[command(flatten)]
    storage: StorageArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage workspaces.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// Configuration helpers.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Database maintenance.
    #[command(subcommand)]
    Db(DbCommand),
    /// Export a dataset's records or training rows to a file or a Hugging Face datasets folder.
    Export(export::ExportArgs),
    /// Import data from elsewhere: a running Argilla server, a folder Argilla's SDK wrote, a file.
    #[command(subcommand)]
    Import(import::ImportCommand),
}

#[derive(Subcommand, Debug)]
enum DbCommand {
    /// Apply pending migrations to the database (`--database-url`) and exit. `serve` applies
    /// them too; this is for deploys that migrate once before starting replicas.
    Migrate,
    /// Copy every row of one database into another, empty one, across engines (e.g. from the
    /// embedded SQLite to PostgreSQL): users and their keys, datasets, records, responses,
    /// suggestions, vectors, webhooks, timestamps. Migrates both first; all or nothing.
    Copy {
        /// The database to copy from: sqlite://... or postgres://...
        #[arg(long)]
        from: String,
        /// The database to copy into (created if a SQLite file; must hold no users).
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create a user and print its API key (shown once).
    Create {
        username: String,
        #[arg(long, default_value = "annotator")]
        role: String,
        /// Password; generated and printed when omitted.
        #[arg(long)]
        password: Option<String>,
        #[arg(long)]
        first_name: Option<String>,
        #[arg(long)]
        last_name: Option<String>,
        /// Workspaces to join (repeatable).
        #[arg(long = "workspace")]
        workspaces: Vec<String>,
    },
    /// List users.
    List,
    /// Delete a user and their responses.
    Delete { username: String },
    /// Set a user's password.
    SetPassword {
        username: String,
        #[arg(long)]
        password: String,
    },
    /// Replace a user's API key and print the new one.
    RotateKey { username: String },
}

#[derive(Subcommand, Debug)]
enum WorkspaceCommand {
    /// Create a workspace.
    Create { name: String },
    /// List workspaces.
    List,
    /// Add a user to a workspace.
    AddUser { workspace: String, username: String },
    /// Remove a user from a workspace.
    RemoveUser { workspace: String, username: String },
}

#[derive(Subcommand, Debug)]
enum ConfigCommand {
    /// Print an example configuration file.
    Example,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env(config::ENV_LOG)
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Command::Config(ConfigCommand::Example) = cli.command {
        print!("{}", config::EXAMPLE);
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let serve_args = match &cli.command {
        Command::Serve(args) => args.clone(),
        _ => ServeArgs::default(),
    };
    let cfg = config::resolve(&cli.storage, &serve_args)?;
    tracing::debug!(?cfg, "configuration");
    if let Command::Db(cmd) = cli.command {
        return db_command(&cfg, cmd).await;
    }
    let service = open_service(&cfg, matches!(cli.command, Command::Serve(_))).await?;
    let res = match cli.command {
        Command::Serve(_) => serve(cfg, service).await,
        Command::User(cmd) => user_command(&service, cmd).await,
        Command::Workspace(cmd) => workspace_command(&service, cmd).await,
        Command::Export(args) => export::run(&service, args).await,
        Command::Import(cmd) => import::finish(&service, import::run(&service, cmd).await).await,
        Command::Config(_) => Ok(()),
        Command::Db(_) => Ok(()),
    };
    res
}

async fn db_command(cfg: &Resolved, cmd: DbCommand) -> anyhow::Result<()> {
    match cmd {
        DbCommand::Migrate => {
            // Opening the service applies the migrations.
            open_service(cfg, false).await?.close().await;
            println!("loam: {} is migrated", loam_store_url(&cfg.database_url));
        }
        DbCommand::Copy { from, to } => {
            let open = |url: String| async move {
                let store = StoreConfig { url: url.clone(), max_connections: 2 };
                let service_cfg = ServiceConfig {
                    token_secret: loam_service::generate_api_key().into_bytes(),
                    token_ttl_secs: 86_400,
                    limits: Default::default(),
                    vector_cache_bytes: 0,
                    ann_min_vectors: 0,
                    sign_in: Default::default(),
                    lease_term: Default::default(),
                };
                Service::open(&store, service_cfg)
                    .await
                    .with_context(|| format!("opening the database {}", loam_store_url(&url)))
            };
            let source = open(from.clone()).await?;
            let target = open(to.clone()).await?;
            let counts = source.copy_into(&target).await.context("copying")?;
            for (table, n) in &counts {
                println!("loam: copied {n} {table}");
            }
            println!("loam: copied {} into {}", loam_store_url(&from), loam_store_url(&to));
            source.close().await;
            target.close().await;
        }
    }
    Ok(())
}

/// Opens the store and service. `serving`: for `loam serve` (which signs tokens), not an admin
/// command.
async fn open_service(cfg: &Resolved, serving: bool) -> anyhow::Result<Arc<Service>> {
    std::fs::create_dir_all(&cfg.data_dir).with_context(|| format!("creating data dir {}", cfg.data_dir.display()))?;
    let postgres = !cfg.database_url.starts_with("sqlite:");
    let token_secret = match &cfg.serve.token_secret {
        Some(secret) => {
            if is_weak_secret(secret) {
                bail!("the token secret is weak: use at least 32 characters, not one repeated (e.g. `openssl rand -base64 48`)");
            }
            secret.as_bytes().to_vec()
        }
        // Replicas on one PostgreSQL database must verify each other's sign-in tokens: a secret
        // generated into one replica's data dir would not do.
        None if postgres && serving => bail!(
            "serving from PostgreSQL needs --token-secret (or LOAM_TOKEN_SECRET): the same strong secret on every replica, so a sign-in token from one verifies on all"
        ),
        None if postgres => loam_service::generate_api_key().into_bytes(),
        None => load_or_create_secret(&cfg.data_dir.join("token-secret"))?,
    };
    let store = StoreConfig { url: cfg.database_url.clone(), max_connections: 8 };
    let vector_cache_mb = cfg.serve.vector_cache_mb.unwrap_or(config::DEFAULT_VECTOR_CACHE_MB);
    let service_cfg = ServiceConfig {
        token_secret,
        token_ttl_secs: 86_400,
        limits: Default::default(),
        vector_cache_bytes: vector_cache_mb.saturating_mul(1 << 20),
        ann_min_vectors: cfg.serve.ann_min_vectors.unwrap_or(loam_service::DEFAULT_ANN_MIN_VECTORS),
        sign_in: sign_in_config(&cfg.serve),
        lease_term: lease_term(&cfg.serve)?,
    };
    let service = Service::open(&store, service_cfg)
        .await
        .with_context(|| format!("opening the database {}", loam_store_url(&cfg.database_url)))?;
    Ok(Arc::new(service))
}

/// The term of the web UI's leases (the flags check the range too; this is for the file).
fn lease_term(args: &ServeArgs) -> anyhow::Result<loam_domain::lease::LeaseTerm> {
    match args.lease_secs {
        None => Ok(Default::default()),
        Some(secs) => loam_domain::lease::LeaseTerm::new(secs).ok_or_else(|| {
            anyhow::anyhow!("lease_secs must be between 1 and {}", loam_domain::lease::LeaseTerm::MAX_SECS)
        }),
    }
}

/// Sign-in throttling and password hashing, from the flags and the machine.
fn sign_in_config(args: &ServeArgs) -> SignInConfig {
    let cores = std::thread::available_parallelism().map_or(1, |it| it.get());
    let mut hashing = HashingConfig::for_machine(cores, total_memory_bytes());
    if let Some(slots) = args.password_hash_slots.filter(|it| *it > 0) {
        hashing = HashingConfig { slots, queue: 64 * slots, ..hashing };
    }
    let mut cfg = SignInConfig { hashing, ..SignInConfig::default() };
    if let Some(allowance) = args.sign_in_username_allowance {
        cfg.username.allowance = allowance;
    }
    if let Some(allowance) = args.sign_in_address_allowance {
        cfg.address.allowance = allowance;
    }
    cfg
}

/// The machine's memory, from /proc/meminfo (Linux); `None` elsewhere.
fn total_memory_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|it| it.starts_with("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Shorter than 32 characters, or one character repeated.
fn is_weak_secret(secret: &str) -> bool {
    let mut chars = secret.chars();
    let first = chars.next();
    secret.chars().count() < 32 || chars.all(|c| Some(c) == first)
}

fn loam_store_url(url: &str) -> String {
    format!("{:?}", StoreConfig { url: url.to_owned(), max_connections: 0 })
}

/// The token-signing secret kept in the data dir, so tokens survive restarts.
fn load_or_create_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let existing = existing.trim();
        if existing.len() >= 32 {
            return Ok(existing.as_bytes().to_vec());
        }
    }
    let secret = format!("{}{}", loam_service::generate_api_key(), loam_service::generate_api_key());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| format!("writing {}", path.display()))?;
    file.write_all(secret.as_bytes())?;
    Ok(secret.into_bytes())
}

async fn bootstrap_owner(service: &Service, args: &ServeArgs) -> anyhow::Result<()> {
    let given = (&args.owner_username, &args.owner_password, &args.owner_api_key);
    let (username, password, api_key, generated) = match given {
        (Some(u), Some(p), Some(k)) => {
            if !args.allow_weak_credentials {
                if let Err(problem) = loam_domain::auth::check_password(p) {
                    bail!("refusing a weak owner password ({problem}); set a strong one or pass --allow-weak-credentials for development");
                }
                if loam_service::is_weak_api_key(k) {
                    bail!("refusing a weak owner API key (known or shorter than 16 characters); set a strong one or pass --allow-weak-credentials for development");
                }
            }
            (u.clone(), p.clone(), k.clone(), false)
        }
        (None, None, None) => {
            ("owner".to_owned(), loam_service::generate_password(), loam_service::generate_api_key(), true)
        }
        _ => bail!(
            "set all of {}, {} and {} (or none, to have them generated)",
            config::ENV_OWNER_USERNAME,
            config::ENV_OWNER_PASSWORD,
            config::ENV_OWNER_API_KEY
        ),
    };
    if let Some(user) = service.bootstrap_owner(&username, &password, &api_key).await? {
        if generated {
            println!("loam: created owner '{}' (shown once, keep them safe)", user.username);
            println!("loam:   password: {password}");
            println!("loam:   api key:  {api_key}");
        } else {
            println!("loam: created owner '{}'", user.username);
        }
    }
    Ok(())
}

async fn serve(cfg: Resolved, service: Arc<Service>) -> anyhow::Result<()> {
    bootstrap_owner(&service, &cfg.serve).await?;
    let bind = cfg.serve.bind.clone().unwrap_or_else(|| config::DEFAULT_BIND.to_owned());
    let listener = loam_http::bind(&bind).await.with_context(|| format!("binding {bind}"))?;
    let addr = listener.local_addr()?;
    let state = loam_http::AppState {
        service: Arc::clone(&service),
        http: Arc::new(loam_http::HttpConfig {
            body_limit: cfg.serve.body_limit_mb.unwrap_or(config::DEFAULT_BODY_LIMIT_MB) * 1024 * 1024,
            import_limit: cfg.serve.import_limit_mb.unwrap_or(config::DEFAULT_IMPORT_LIMIT_MB) * 1024 * 1024,
            ui: match &cfg.serve.ui_dir {
                Some(dir) => loam_http::UiSource::Dir(dir.clone()),
                None => loam_http::UiSource::Embedded,
            },
        }),
        limits: Default::default(),
    };
    let app = loam_http::router(state);
    let upkeep = tokio::spawn(upkeep(Arc::clone(&service)));
    let deliveries = tokio::spawn(deliver_webhooks(Arc::clone(&service)));
    println!("loam: listening on http://{addr}");
    std::io::stdout().flush()?;
    tracing::info!(%addr, backend = service.backend(), "serving");
    let limits = loam_http::ServeConfig {
        header_timeout: Duration::from_secs(
            cfg.serve.header_timeout_secs.unwrap_or(config::DEFAULT_HEADER_TIMEOUT_SECS),
        ),
        body_timeout: Duration::from_secs(cfg.serve.body_timeout_secs.unwrap_or(config::DEFAULT_BODY_TIMEOUT_SECS)),
        max_connections: cfg
            .serve
            .max_connections
            .map_or(config::DEFAULT_MAX_CONNECTIONS, |it| usize::try_from(it).unwrap_or(usize::MAX)),
        trusted_proxies: cfg.serve.trusted_proxies.clone().unwrap_or_default(),
    };
    loam_http::serve(listener, app, limits, shutdown_signal()).await?;
    upkeep.abort();
    // A send cut short here is not lost: its claim expires and a replica (or the next start)
    // sends it again.
    deliveries.abort();
    service.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Background upkeep while serving: merges the text index segments that bulk writes leave, in
/// small steps between requests (see `Service::upkeep_step`), so ingest requests do not pay for
/// merging and searches still meet a compact index.
async fn upkeep(service: Arc<Service>) {
    loop {
        match service.upkeep_step().await {
            Ok(true) => tokio::task::yield_now().await,
            Ok(false) => tokio::time::sleep(std::time::Duration::from_millis(500)).await,
            Err(err) => {
                tracing::warn!(error = %err, "text index upkeep failed");
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            }
        }
    }
}

/// Webhook delivery while serving: every replica polls the outbox (a read), claims what is due
/// through the database and sends it (see `Service::deliver_webhooks_step`).
async fn deliver_webhooks(service: Arc<Service>) {
    loop {
        match service.deliver_webhooks_step().await {
            Ok(step) if step.delivered + step.failed > 0 => tokio::task::yield_now().await,
            Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(250)).await,
            Err(err) => {
                tracing::warn!(error = %err, "webhook delivery failed");
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            }
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down; finishing in-flight requests");
}

async fn user_command(service: &Service, cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Create { username, role, password, first_name, last_name, workspaces } => {
            let role: Role = role.parse().map_err(anyhow::Error::msg)?;
            let (password, generated) = match password {
                Some(it) => (it, false),
                None => (loam_service::generate_password(), true),
            };
            if let Err(problem) = loam_domain::auth::check_password(&password) {
                bail!("refusing the password: {problem}");
            }
            let new = NewUser {
                id: None,
                first_name: first_name.unwrap_or_else(|| username.clone()),
                last_name,
                username,
                role,
                password: password.clone(),
                workspaces,
            };
            let (user, key) = service.create_user_as_operator(new).await?;
            println!("created {} ({}) id={}", user.username, user.role, user.id);
            if generated {
                println!("password: {password}");
            }
            println!("api key:  {key}");
        }
        UserCommand::List => {
            for user in service.list_users_as_operator().await? {
                println!("{}\t{}\t{}", user.username, user.role, user.id);
            }
        }
        UserCommand::Delete { username } => {
            let user = service.delete_user_as_operator(&username).await?;
            println!("deleted {}", user.username);
        }
        UserCommand::SetPassword { username, password } => {
            if let Err(problem) = loam_domain::auth::check_password(&password) {
                bail!("refusing the password: {problem}");
            }
            let user = service.set_password_as_operator(&username, &password).await?;
            println!("password set for {}", user.username);
        }
        UserCommand::RotateKey { username } => {
            let (user, key) = service.rotate_key_as_operator(&username).await?;
            println!("new api key for {}: {key}", user.username);
        }
    }
    Ok(())
}

async fn workspace_command(service: &Service, cmd: WorkspaceCommand) -> anyhow::Result<()> {
    match cmd {
        WorkspaceCommand::Create { name } => {
            let ws = service.create_workspace_as_operator(name).await?;
            println!("created workspace {} id={}", ws.name, ws.id);
        }
        WorkspaceCommand::List => {
            for ws in service.list_workspaces_as_operator().await? {
                println!("{}\t{}", ws.name, ws.id);
            }
        }
        WorkspaceCommand::AddUser { workspace, username } => {
            service.add_workspace_member_as_operator(&workspace, &username).await?;
            println!("added {username} to {workspace}");
        }
        WorkspaceCommand::RemoveUser { workspace, username } => {
            service.remove_workspace_member_as_operator(&workspace, &username).await?;
            println!("removed {username} from {workspace}");
        }
    }
    Ok(())
}
