//! Moving in (issue 21): data read from elsewhere — a running Argilla server, the folders
//! Argilla's v2 SDK writes, plain files into an existing dataset — written through loam's own write paths, with the ids and timestamps
//! it had there where loam can keep them.

pub mod argilla;
pub mod file;
pub mod folder;
