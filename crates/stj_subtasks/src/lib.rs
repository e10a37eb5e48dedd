#![doc = include_str!("../README.md")]

pub mod ledger;
pub mod library;
pub mod locks;
pub mod ports;
pub mod progress;
pub mod properties;
pub mod service;

pub use library::{LibraryError, LibraryService, StoredLibrary};
pub use locks::LocalLocks;
pub use ports::{
    Caller, ExistingSubtask, GatewayError, IssueGateway, IssueTypeRef, ItemOutcome, NewSubtask,
    Origin, ParentIssue, ProjectSubtaskTypes, UserRef,
};
pub use progress::Progress;
pub use properties::{PropertyStore, PropertyTarget};
pub use service::{
    ApplyError, ApplyOptions, ApplyReport, ApplyRequest, ApplySource, ItemReport, ItemStatus,
    Preview, PreviewItem, PreviousApplication, QUICK_ENTRY_SOURCE, Recorded, SubtaskService,
};

#[cfg(test)]
mod tests;
