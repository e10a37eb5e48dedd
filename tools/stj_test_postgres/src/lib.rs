#![doc = include_str!("../README.md")]

mod certs;
mod cluster;

pub use certs::TestPki;
pub use cluster::TlsCluster;
