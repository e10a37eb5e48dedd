//! Text conversions the frontend offers: import from rival apps' formats into quick entry, a
//! check of quick-entry text (normalised, as structured items at their source lines), and the
//! way back from structured items to quick entry, so editors switch without losing anything.

use actix_web::HttpResponse;
use actix_web::web;
use serde::Deserialize;
use serde_json::json;

use stj_templates::{ImportFormat, format_quick_entry, import_leniently, parse_quick_entry_mapped};

use crate::auth::ApiCaller;
use crate::handlers::common::{invalid, within_limit};
use crate::handlers::items::{ItemBody, item_json, to_specs};
use crate::problem::Problem;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TextBody {
    text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ItemsBody {
    items: Vec<ItemBody>,
}

fn checked(body: &TextBody) -> Result<&str, Problem> {
    within_limit(&body.text, "text_too_long", "text")
}

/// Multiple Subtasks or Quick Subtasks text → quick entry, with what could not be mapped.
pub(crate) async fn import(
    _caller: ApiCaller,
    body: web::Json<TextBody>,
) -> Result<HttpResponse, Problem> {
    let import = import_leniently(checked(&body)?).map_err(invalid)?;
    let format = match import.format {
        ImportFormat::MultipleSubtasks => "multiple-subtasks",
        ImportFormat::QuickSubtasks => "quick-subtasks",
    };
    let unmapped: Vec<_> = import
        .unmapped
        .iter()
        .map(|item| {
            json!({ "line": item.violation.line, "text": item.text, "reason": item.violation.message })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "format": format,
        "count": import.specs.len(),
        "quickEntry": format_quick_entry(&import.specs),
        "unmapped": unmapped,
    })))
}

/// Quick entry → its normal form and its items at their source lines, or the per-line problems.
pub(crate) async fn check(
    _caller: ApiCaller,
    body: web::Json<TextBody>,
) -> Result<HttpResponse, Problem> {
    let (specs, lines) = parse_quick_entry_mapped(checked(&body)?).map_err(invalid)?;
    let items: Vec<_> =
        specs.iter().zip(lines.lines()).map(|(spec, line)| item_json(spec, Some(*line))).collect();
    Ok(HttpResponse::Ok().json(json!({
        "count": specs.len(),
        "quickEntry": format_quick_entry(&specs),
        "items": items,
    })))
}

/// Structured items → quick entry, or the problems numbered by item (1-based).
pub(crate) async fn format(
    _caller: ApiCaller,
    body: web::Json<ItemsBody>,
) -> Result<HttpResponse, Problem> {
    let specs = to_specs(body.into_inner().items).map_err(invalid)?;
    Ok(HttpResponse::Ok().json(json!({ "quickEntry": format_quick_entry(&specs) })))
}
