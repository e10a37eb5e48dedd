#![doc = include_str!("../README.md")]

pub mod https;
pub mod settings;
pub mod startup;
pub mod telemetry;

pub use settings::{Environment, Settings};
pub use startup::Application;
