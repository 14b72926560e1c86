//! `sqlx::migrate!` embeds `migrations/` when the crate compiles, but cargo only rebuilds the crate
//! when a file it knows changes: a migration added since the last build would be left out of an
//! incremental build (and of the binary) without this.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
