//! Moving in: data read from elsewhere written through loam's own write paths, with the ids and
//! timestamps it had there where loam can keep them.

pub mod argilla;
