//! Templates as people write them: each one's subtasks as quick-entry text (how the editors and
//! the API carry them), read into a [`Library`] with every violation named by its template.

use stj_validation::ValidationReport;

use crate::model::{Library, Template, TemplateId};
use crate::quick::parse_quick_entry;

/// One template as written: its subtasks as quick-entry text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenTemplate {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// The subtask type name for lines that name none; empty means none.
    pub subtask_type: Option<String>,
    pub quick_entry: String,
}

/// The templates read (at revision 0), or every violation: a bad id at the template's 1-based
/// position, each line's as `template {position} ({id}): …` at its line. The library's own rules
/// (how many templates, each template's fields) are checked where it is saved.
pub fn read_written(written: Vec<WrittenTemplate>) -> Result<Library, ValidationReport> {
    let mut report = ValidationReport::new();
    let mut templates = Vec::with_capacity(written.len());
    for (position, text) in (1..).zip(written) {
        match (TemplateId::new(text.id.clone()), parse_quick_entry(&text.quick_entry)) {
            (Ok(id), Ok(subtasks)) => templates.push(Template {
                id,
                name: text.name,
                description: text.description,
                subtask_type: text.subtask_type.filter(|name| !name.is_empty()),
                subtasks,
            }),
            (id, subtasks) => {
                if let Err(violation) = id {
                    report.push(violation.at_line(position));
                }
                for mut violation in subtasks.err().into_iter().flat_map(|r| r.violations) {
                    violation.message =
                        format!("template {position} ({}): {}", text.id, violation.message);
                    report.push(violation);
                }
            }
        }
    }
    report.into_result(Library { revision: 0, templates })
}

#[cfg(test)]
mod tests {
    use super::*;
    use stj_validation::{code, field};

    fn written(id: &str, quick_entry: &str) -> WrittenTemplate {
        WrittenTemplate {
            id: id.to_owned(),
            name: format!("Template {id}"),
            description: None,
            subtask_type: Some(String::new()),
            quick_entry: quick_entry.to_owned(),
        }
    }

    #[test]
    fn templates_are_read_with_an_empty_type_meaning_none() {
        let library = read_written(vec![written("a", "One\nTwo #qa")]).unwrap();
        assert_eq!(library.revision, 0);
        let template = &library.templates[0];
        assert_eq!((template.id.as_str(), template.subtasks.len()), ("a", 2));
        assert_eq!(template.subtask_type, None);
    }

    #[test]
    fn every_violation_names_its_template_and_line() {
        let report =
            read_written(vec![written("ok", "Fine"), written("Bad Id", "x\ny ~2x")]).unwrap_err();
        let found: Vec<_> = report.violations.iter().map(|v| (v.line, v.field, v.code)).collect();
        assert_eq!(
            found,
            [
                (Some(2), field::TEMPLATE_ID, code::BAD_CHARSET),
                (Some(2), field::ESTIMATE, code::BAD_SYNTAX)
            ]
        );
        assert!(report.violations[1].message.starts_with("template 2 (Bad Id): "), "{report}");
    }
}
