//! Imports into loam: plain files (`file`).

pub mod file;
