//! Test doubles shared by the services' tests.

pub(crate) mod memory;
