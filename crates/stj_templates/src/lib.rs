#![doc = include_str!("../README.md")]

mod check;
mod document;
mod import;
mod line_map;
mod lines;
mod model;
mod quick;
mod render;
mod variables;
mod written;

pub use check::{check_library, check_subtask, check_template};
pub use document::{DOCUMENT_VERSION, decode_library, encode_library, encode_library_unbounded};
pub use import::{Import, ImportFormat, Unmapped, detect_format, import_leniently, import_text};
pub use line_map::LineMap;
pub use model::{
    ASSIGNEE_KEYWORDS, Assignee, DueAnchor, Estimate, Library, RelativeDue, Scope, SubtaskSpec,
    Template, TemplateId, normalize_description,
};
pub use quick::{
    format_quick_entry, format_quick_entry_mapped, parse_quick_entry, parse_quick_entry_mapped,
};
pub use render::{ParentContext, RenderedAssignee, RenderedSubtask, render, render_all};
/// The validation vocabulary, re-exported so callers need not depend on `stj_validation`.
pub use stj_validation::{ValidationReport, Violation, code, field};
pub use variables::{VARIABLES, Variable};
pub use written::{WrittenTemplate, read_written};
