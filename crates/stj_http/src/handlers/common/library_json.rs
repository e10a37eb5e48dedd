//! Templates and libraries as the API shows them: a template's subtasks as quick-entry text.

use serde_json::{Value, json};

use stj_subtasks::StoredLibrary;
use stj_templates::{Template, format_quick_entry};

pub(crate) fn template_json(template: &Template) -> Value {
    json!({
        "id": template.id.as_str(),
        "name": template.name,
        "description": template.description,
        "subtaskType": template.subtask_type,
        "count": template.subtasks.len(),
        "quickEntry": format_quick_entry(&template.subtasks),
    })
}

pub(crate) fn library_json(stored: &StoredLibrary) -> Value {
    json!({
        "revision": stored.revision,
        "templates": stored.library.templates.iter().map(template_json).collect::<Vec<_>>(),
    })
}
