//! `GET /rest/api/3/issue/{issueIdOrKey}` with `fields` and `properties` selection.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{Caller, Refusal, query_list};
use crate::Sandbox;
use crate::site::Site;
use crate::site::records::Issue;
use crate::site::render::{ISSUE_FIELDS, Render};

pub(crate) async fn issue(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<Sandbox>,
) -> HttpResponse {
    // The `/issue/bulk` resource serves GET too: an issue called "bulk" that never exists.
    let id_or_key = req.match_info().get("issueIdOrKey").unwrap_or("bulk").to_owned();
    let fields = selected_fields(query_list(&req, "fields"));
    let properties = query_list(&req, "properties");
    caller.on_site(&state, |site, base| {
        let Some(issue) = visible(site, &caller, &id_or_key) else {
            return issue_not_found().respond();
        };
        let keys = properties.map(|wanted| selected_properties(&wanted, issue));
        let keys: Option<Vec<&str>> = keys.as_ref().map(|k| k.iter().map(String::as_str).collect());
        HttpResponse::Ok().json(Render { site, base }.issue(issue, &fields, keys.as_deref()))
    })
}

/// The issue if the caller may browse its project; otherwise, for the caller, it does not exist.
pub(crate) fn visible<'s>(site: &'s Site, caller: &Caller, id_or_key: &str) -> Option<&'s Issue> {
    let issue = site.issue(id_or_key)?;
    let project = site.project_by_id(issue.fields.project_id)?;
    site.permissions(&caller.account_id, project).browse.then_some(issue)
}

pub(crate) fn issue_not_found() -> Refusal {
    Refusal::new(
        StatusCode::NOT_FOUND,
        "Issue does not exist or you do not have permission to see it.",
    )
}

/// `fields=summary,-description,*all`: names to include, `-name` to exclude, `*all` and
/// `*navigable` for everything; unknown names are ignored. All fields when absent.
fn selected_fields(requested: Option<Vec<String>>) -> Vec<&'static str> {
    let Some(requested) = requested else { return ISSUE_FIELDS.to_vec() };
    let mut chosen: Vec<&'static str> = Vec::new();
    let mut excluded: Vec<&str> = Vec::new();
    for field in &requested {
        if field == "*all" || field == "*navigable" {
            chosen.extend(ISSUE_FIELDS);
        } else if let Some(name) = field.strip_prefix('-') {
            excluded.push(name);
        } else if let Some(known) = ISSUE_FIELDS.iter().find(|known| *known == field) {
            chosen.push(known);
        }
    }
    // Only exclusions: everything else.
    if chosen.is_empty() && !excluded.is_empty() {
        chosen.extend(ISSUE_FIELDS);
    }
    let mut unique = Vec::new();
    for field in chosen {
        if !excluded.contains(&field) && !unique.contains(&field) {
            unique.push(field);
        }
    }
    unique
}

/// `properties=*all,-key` or a list of keys: the issue's property keys to return.
fn selected_properties(wanted: &[String], issue: &Issue) -> Vec<String> {
    let all = wanted.iter().any(|w| w == "*all");
    issue
        .fields
        .properties
        .keys()
        .filter(|key| all || wanted.iter().any(|w| w == *key))
        .filter(|key| !wanted.iter().any(|w| w.strip_prefix('-') == Some(key.as_str())))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(s: &str) -> Option<Vec<String>> {
        Some(s.split(',').map(str::to_owned).collect())
    }

    #[test]
    fn field_selection() {
        assert_eq!(selected_fields(None).len(), ISSUE_FIELDS.len());
        assert_eq!(selected_fields(list("summary,subtasks,nope")), ["summary", "subtasks"]);
        let without = selected_fields(list("-description"));
        assert!(!without.contains(&"description") && without.contains(&"summary"));
        let all_but = selected_fields(list("*all,-summary,summary"));
        assert!(!all_but.contains(&"summary"));
    }
}
