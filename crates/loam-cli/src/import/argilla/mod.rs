//! `loam import argilla --url URL --api-key KEY`: reads a running Argilla 2.x server over its
//! HTTP API (`client.rs`) and writes it into loam's database as the operator, through the
//! service's import entries (`loam_service::import::argilla`), which keep ids and timestamps and
//! write only what is missing. Order: workspaces, users (new passwords printed once, or none
//! with `--no-passwords`; API keys kept), then each dataset with its settings and its records
//! page by page (`records.rs`, a progress bar each), and the counts of both sides at the end.
//!
//! Exit status: 0 complete; 2 completed with errors (items refused, listed); 3 the server is
//! unreachable; 4 the key is refused; 5 the key is not an owner's; 6 the URL is not Argilla;
//! 7 the server failed mid-way (what was written is whole: batches are transactions; run
//! again to go on).

mod client;
mod records;

use std::collections::{BTreeSet, HashMap};

use clap::Args;
use loam_service::import::argilla::{DatasetSource, Outcome, Password, UserMap};
use loam_service::Service;
use serde_json::Value;

use client::{Client, SourceError};

pub const EXIT_WITH_ERRORS: i32 = 2;
pub const EXIT_UNREACHABLE: i32 = 3;
pub const EXIT_UNAUTHORIZED: i32 = 4;
pub const EXIT_NOT_OWNER: i32 = 5;
pub const EXIT_NOT_ARGILLA: i32 = 6;
pub const EXIT_SOURCE_FAILED: i32 = 7;

#[derive(Args, Debug)]
pub struct ArgillaArgs {
    /// The Argilla server, e.g. http://localhost:6900.
    #[arg(long)]
    url: String,
    /// An owner's API key on that server.
    #[arg(long = "api-key")]
    api_key: String,
    /// Import only these workspaces (repeatable; by name).
    #[arg(long = "workspace")]
    workspaces: Vec<String>,
    /// Import only these datasets (repeatable; as <workspace>/<dataset>).
    #[arg(long = "dataset")]
    datasets: Vec<String>,
    /// Print what would be imported; write nothing.
    #[arg(long = "dry-run")]
    dry_run: bool,
    /// Leave imported users without a usable password (an owner sets one later with
    /// `loam user set-password`), instead of printing a new one for each.
    #[arg(long = "no-passwords")]
    no_passwords: bool,
    /// Records per page read and per transaction written.
    #[arg(long = "batch-size", default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=1000))]
    batch_size: u32,
}

/// Items refused along the way, printed as they come and counted for the exit status.
#[derive(Default)]
pub(crate) struct Problems {
    count: usize,
}

impl Problems {
    pub(crate) fn report(&mut self, what: &str, reason: &str) {
        self.count += 1;
        eprintln!("loam import: error: {what}: {reason}");
    }
}

pub async fn run(service: &Service, args: ArgillaArgs) -> anyhow::Result<i32> {
    match import(service, &args).await {
        Ok(status) => Ok(status),
        Err(Stop::Source(err)) => {
            eprintln!("loam import: {err}");
            if matches!(err, SourceError::Failed { .. } | SourceError::Unreachable { .. }) {
                eprintln!(
                    "loam import: what was imported so far is complete by batch; run the same command again to go on"
                );
            }
            Ok(err.exit_status())
        }
        Err(Stop::Loam(err)) => Err(err),
    }
}

pub(crate) enum Stop {
    Source(SourceError),
    Loam(anyhow::Error),
}

impl From<SourceError> for Stop {
    fn from(err: SourceError) -> Self {
        Stop::Source(err)
    }
}

impl From<loam_service::Error> for Stop {
    fn from(err: loam_service::Error) -> Self {
        Stop::Loam(err.into())
    }
}

fn str_of<'a>(item: &'a Value, key: &str) -> &'a str {
    item.get(key).and_then(Value::as_str).unwrap_or("")
}

fn outcome_word(outcome: &Outcome, dry_run: bool) -> &'static str {
    match (outcome, dry_run) {
        (Outcome::Created, false) => "imported",
        (Outcome::Created, true) => "would import",
        (Outcome::Present, _) => "already there",
        (Outcome::Completed(_), false) => "already there; added what it lacked:",
        (Outcome::Completed(_), true) => "already there; would add what it lacks:",
        (Outcome::Refused(_), _) => "refused",
    }
}

async fn import(service: &Service, args: &ArgillaArgs) -> Result<i32, Stop> {
    let client = Client::new(&args.url, &args.api_key)?;
    let me = client.check_owner().await?;
    let dry = args.dry_run;
    println!(
        "loam import: reading {} as {}{}",
        client.url(),
        str_of(&me, "username"),
        if dry { " (dry run: nothing is written)" } else { "" }
    );
    let mut problems = Problems::default();

    // What to import: the workspaces named (by --workspace or --dataset), else all.
    let mut wanted_ws: BTreeSet<&str> = args.workspaces.iter().map(String::as_str).collect();
    let mut wanted_ds: Vec<(&str, &str)> = Vec::new();
    for name in &args.datasets {
        let Some((ws, ds)) = name.split_once('/') else {
            return Err(Stop::Loam(anyhow::anyhow!("name the dataset as <workspace>/<dataset>, not `{name}`")));
        };
        wanted_ds.push((ws, ds));
        wanted_ws.insert(ws);
    }
    let all_ws = client.items("/api/v1/me/workspaces").await?;
    for name in &wanted_ws {
        if !all_ws.iter().any(|it| str_of(it, "name") == *name) {
            return Err(Stop::Loam(anyhow::anyhow!("{} has no workspace named `{name}`", client.url())));
        }
    }
    let workspaces: Vec<&Value> =
        all_ws.iter().filter(|it| wanted_ws.is_empty() || wanted_ws.contains(str_of(it, "name"))).collect();
    let ws_names: HashMap<&str, &str> = workspaces.iter().map(|it| (str_of(it, "id"), str_of(it, "name"))).collect();

    for ws in &workspaces {
        let outcome = service.import_argilla_workspace(ws, dry).await?;
        if let Outcome::Refused(reason) = &outcome {
            problems.report(&format!("workspace {}", str_of(ws, "name")), reason);
        } else {
            println!("workspace {}: {}", str_of(ws, "name"), outcome_word(&outcome, dry));
        }
    }

    // Users: all of them, or the owners and the members of the workspaces named.
    let password = if args.no_passwords { Password::Unusable } else { Password::Generate };
    let mut users = UserMap::new();
    let mut credentials = Vec::new();
    for user in client.items("/api/v1/users").await? {
        let id = str_of(&user, "id");
        let member_of = client.items(&format!("/api/v1/users/{id}/workspaces")).await?;
        let member_of: Vec<loam_service::domain::WorkspaceId> = member_of
            .iter()
            .filter(|it| ws_names.contains_key(str_of(it, "id")))
            .filter_map(|it| uuid::Uuid::parse_str(str_of(it, "id")).ok().map(Into::into))
            .collect();
        // Limited to some workspaces: their members (and the owners) only.
        if !wanted_ws.is_empty() && str_of(&user, "role") != "owner" && member_of.is_empty() {
            continue;
        }
        let username = str_of(&user, "username").to_owned();
        let done = service.import_argilla_user(&user, &member_of, password, dry).await?;
        match (&done.outcome, done.loam_id) {
            (Outcome::Refused(reason), _) => problems.report(&format!("user {username}"), reason),
            (outcome, Some(loam_id)) => {
                if let Ok(source) = uuid::Uuid::parse_str(id) {
                    users.insert(source.into(), loam_id);
                }
                let mut line = format!("user {username} ({}): {}", str_of(&user, "role"), outcome_word(outcome, dry));
                if loam_id.to_string() != id {
                    line.push_str(&format!(" as loam's user {loam_id} of the same username (ids differ)"));
                }
                if done.memberships_added > 0 {
                    line.push_str(&format!(", {} workspace memberships added", done.memberships_added));
                }
                println!("{line}");
                if *outcome == Outcome::Created && !dry {
                    credentials.push((username, done.password, done.api_key_kept));
                }
            }
            (_, None) => {}
        }
    }
    if !credentials.is_empty() {
        println!(
            "credentials of the users imported (passwords cannot be read from Argilla; shown once, keep them safe):"
        );
        for (username, password, key_kept) in &credentials {
            let password = match password {
                Some(it) => format!("new password {it}"),
                None => "no usable password until an owner sets one (loam user set-password)".to_owned(),
            };
            let key = if *key_kept { "keeps the API key it had" } else { "a new API key (loam user rotate-key)" };
            println!("  {username}: {password}; {key}");
        }
    }

    // Datasets of the workspaces imported (or those named).
    let datasets: Vec<Value> = client
        .items("/api/v1/me/datasets")
        .await?
        .into_iter()
        .filter(|it| ws_names.contains_key(str_of(it, "workspace_id")))
        .filter(|it| {
            wanted_ds.is_empty()
                || wanted_ds
                    .iter()
                    .any(|(ws, ds)| ws_names.get(str_of(it, "workspace_id")) == Some(ws) && str_of(it, "name") == *ds)
        })
        .collect();
    for (ws, ds) in &wanted_ds {
        let found =
            datasets.iter().any(|it| ws_names.get(str_of(it, "workspace_id")) == Some(ws) && str_of(it, "name") == *ds);
        if !found {
            return Err(Stop::Loam(anyhow::anyhow!("{} has no dataset `{ws}/{ds}`", client.url())));
        }
    }
    let bars = indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::stderr());
    let mut summaries = Vec::new();
    for raw in datasets {
        let id = str_of(&raw, "id").to_owned();
        let name =
            format!("{}/{}", ws_names.get(str_of(&raw, "workspace_id")).copied().unwrap_or("?"), str_of(&raw, "name"));
        let source = DatasetSource {
            fields: client.items(&format!("/api/v1/datasets/{id}/fields")).await?,
            questions: client.items(&format!("/api/v1/datasets/{id}/questions")).await?,
            metadata_properties: client.items(&format!("/api/v1/me/datasets/{id}/metadata-properties")).await?,
            vectors_settings: client.items(&format!("/api/v1/datasets/{id}/vectors-settings")).await?,
            dataset: raw,
        };
        let outcome = service.import_argilla_dataset(&source, dry).await?;
        match &outcome {
            Outcome::Refused(reason) => {
                problems.report(&format!("dataset {name}"), reason);
                continue;
            }
            Outcome::Completed(added) => {
                println!("dataset {name} with its settings: {} {}", outcome_word(&outcome, dry), added.join(", "))
            }
            other => println!("dataset {name} with its settings: {}", outcome_word(other, dry)),
        }
        if str_of(&source.dataset, "status") != "ready" {
            continue;
        }
        let only_count = dry && outcome == Outcome::Created;
        let job = records::DatasetJob {
            id: &id,
            name: &name,
            users: &users,
            dry_run: dry,
            only_count,
            batch: args.batch_size,
        };
        let summary = records::import_records(service, &client, &bars, job, &mut problems).await?;
        summaries.push(summary);
    }
    bars.clear().ok();
    records::print_summaries(&summaries, dry);
    println!(
        "kept: the ids and timestamps of workspaces, users, datasets, fields, questions, metadata properties, \
         vector settings, records, responses and suggestions, and the users' API keys; not kept: passwords \
         (Argilla does not give them out), membership dates"
    );
    if problems.count > 0 {
        eprintln!(
            "loam import: completed with errors: {} items refused (listed above); the rest is imported",
            problems.count
        );
        return Ok(EXIT_WITH_ERRORS);
    }
    if summaries.iter().any(|it| !dry && !it.equal()) {
        eprintln!("loam import: completed, but the counts differ (see above): the server changed meanwhile? run again to add what is missing");
        return Ok(EXIT_WITH_ERRORS);
    }
    println!("loam import: {}", if dry { "dry run complete: nothing was written" } else { "complete" });
    Ok(0)
}
