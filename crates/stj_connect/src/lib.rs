//! Atlassian Connect protocol: qsh, JWT verification and signing, signed install, lifecycle and
//! licence policy, and the app descriptor. No HTTP server and no HTTP client live here: requests
//! arrive as `RequestFacts`, and key and licence look-ups go through `stj_core` ports.

pub mod qsh;
pub mod outgoing;
