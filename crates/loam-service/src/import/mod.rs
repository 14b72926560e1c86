//! Imports into loam from Argilla's formats (issue 21).

pub mod folder;
