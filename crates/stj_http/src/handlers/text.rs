//! Text conversions the frontend offers: import from rival apps' formats into quick entry, and
//! a check of quick-entry text (normalised, with per-line problems) before saving.

use actix_web::HttpResponse;
use actix_web::web;
use serde::Deserialize;
use serde_json::json;

use stj_templates::{
    ImportFormat, detect_format, format_quick_entry, import_text, parse_quick_entry,
};

use crate::auth::ApiCaller;
use crate::handlers::subtasks::{MAX_TEXT_BYTES, invalid};
use crate::problem::Problem;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TextBody {
    text: String,
}

fn checked(body: &TextBody) -> Result<&str, Problem> {
    if body.text.len() > MAX_TEXT_BYTES {
        return Err(Problem::bad_request(
            "text_too_long",
            format!("text is limited to {MAX_TEXT_BYTES} bytes"),
        ));
    }
    Ok(&body.text)
}

/// Multiple Subtasks or Quick Subtasks text → quick entry.
pub(crate) async fn import(
    _caller: ApiCaller,
    body: web::Json<TextBody>,
) -> Result<HttpResponse, Problem> {
    let text = checked(&body)?;
    let format = match detect_format(text) {
        Some(ImportFormat::MultipleSubtasks) => "multiple-subtasks",
        Some(ImportFormat::QuickSubtasks) => "quick-subtasks",
        None => "unknown",
    };
    let specs = import_text(text).map_err(invalid)?;
    Ok(HttpResponse::Ok().json(json!({
        "format": format,
        "count": specs.len(),
        "quickEntry": format_quick_entry(&specs),
    })))
}

/// Quick entry → its normal form, or the per-line problems.
pub(crate) async fn check(
    _caller: ApiCaller,
    body: web::Json<TextBody>,
) -> Result<HttpResponse, Problem> {
    let specs = parse_quick_entry(checked(&body)?).map_err(invalid)?;
    Ok(HttpResponse::Ok()
        .json(json!({ "count": specs.len(), "quickEntry": format_quick_entry(&specs) })))
}
