//! How many: subtasks per template, templates per library, days a due date may move.

use crate::report::{Violation, code, field};

/// Subtasks in one template: four bulk-create calls of Jira's 50 at most.
pub const MAX_SUBTASKS_PER_TEMPLATE: usize = 200;
/// Templates in one user's personal library.
pub const MAX_PERSONAL_TEMPLATES: usize = 100;
/// Templates in one project's shared library.
pub const MAX_PROJECT_TEMPLATES: usize = 100;
/// How far (in calendar days, either way) a relative due date may reach: ten years.
pub const MAX_DUE_OFFSET_DAYS: i32 = 3_650;

/// A template, and an application, has 1 to [`MAX_SUBTASKS_PER_TEMPLATE`] subtasks. The one
/// count rule: templates are checked with it when saved or read, applications when their
/// source is read; the grammars (quick entry, imports, structured items) count nothing.
pub fn subtask_count(count: usize) -> Result<(), Violation> {
    if count == 0 {
        return Err(Violation::new(
            field::SUBTASKS,
            code::EMPTY,
            "There are no subtasks: write at least one, one per line.",
        ));
    }
    if count > MAX_SUBTASKS_PER_TEMPLATE {
        return Err(Violation::new(
            field::SUBTASKS,
            code::TOO_MANY,
            format!(
                "At most {MAX_SUBTASKS_PER_TEMPLATE} subtasks can be created at once (these are {count})."
            ),
        ));
    }
    Ok(())
}

/// A library holds at most `max` templates ([`MAX_PERSONAL_TEMPLATES`] or
/// [`MAX_PROJECT_TEMPLATES`]); an empty library is fine.
pub fn template_count(count: usize, max: usize) -> Result<(), Violation> {
    if count > max {
        return Err(Violation::new(
            field::TEMPLATES,
            code::TOO_MANY,
            format!("A library can hold at most {max} templates (this one has {count})."),
        ));
    }
    Ok(())
}

/// A relative due date moves at most [`MAX_DUE_OFFSET_DAYS`] either way.
pub fn due_offset_days(days: i32) -> Result<(), Violation> {
    if days.unsigned_abs() > MAX_DUE_OFFSET_DAYS.unsigned_abs() {
        return Err(Violation::new(
            field::DUE,
            code::TOO_LARGE,
            format!(
                "A due date can move at most {MAX_DUE_OFFSET_DAYS} days (this one moves {days})."
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
