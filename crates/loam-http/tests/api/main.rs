//! The HTTP API of loam, end to end through `loam_http::router` over a fresh SQLite database
//! per test (no sockets). One helper touches the boundary (`common::TestApp`); the cases are
//! data in, expected status and body out.
#![allow(clippy::unwrap_used)]

mod auth;
mod bad_input;
mod bodies;
mod common;
mod copy;
mod datasets;
mod distribution;
mod legacy;
mod permissions;
mod races;
mod records;
mod responses;
mod search;
mod settings;
mod similarity;
mod ui;
mod users;
mod visibility;
mod webhooks;
mod workspaces;
