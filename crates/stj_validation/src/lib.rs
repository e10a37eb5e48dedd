#![doc = include_str!("../README.md")]

pub mod duration;
pub mod id_rules;
pub mod limits;
pub mod property;
mod report;
pub mod text;

pub use report::{ValidationReport, Violation, code, field};
