//! The HTTP API of loam, end to end through `loam_http::router` over a fresh SQLite database
//! per test (no sockets). One helper touches the boundary (`common::TestApp`); the cases are
//! data in, expected status and body out.
#![allow(clippy::unwrap_used)]

mod agreement;
mod auth;
mod auth_sessions;
mod bad_input;
mod bad_references;
mod bodies;
mod common;
mod compression;
mod consolidation;
mod copy;
mod datasets;
mod distribution;
mod export;
mod export_text_path;
mod export_training;
mod import;
mod leases;
mod legacy;
mod overview;
mod pairwise;
mod permissions;
mod permissions_world;
mod races;
mod record_history;
mod records;
mod responses;
mod review;
mod search;
mod settings;
mod settings_metadata;
mod similarity;
mod time_on_task;
mod ui;
mod users;
mod visibility;
mod webhook_payloads;
mod webhooks;
mod workspaces;
