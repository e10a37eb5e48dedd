#![doc = include_str!("../README.md")]

pub mod ledger;
pub mod ports;
pub mod service;

pub use ports::{
    Caller, GatewayError, IssueGateway, IssueTypeRef, ItemOutcome, NewSubtask, Origin, ParentIssue,
    UserRef,
};
pub use service::{
    ApplyError, ApplyReport, ApplyRequest, ItemReport, ItemStatus, Preview, SubtaskService,
};
