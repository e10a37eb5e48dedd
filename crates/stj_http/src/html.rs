//! The HTML document every page shares: the app's shell for iframe views (`handlers::pages`) and
//! the refusal pages `problem` renders inside Jira. Styles only from the app; no inline script or
//! style (the CSP forbids them).

use crate::assets;

/// A page for refusals shown inside Jira (licence required, token expired): styles, no script.
pub(crate) fn message_page(title: &str, detail: &str) -> String {
    let body = format!(
        "<main id=\"app\"><section class=\"message message-warning\" role=\"alert\"><h1 class=\"message-title\">{}</h1><p>{}</p></section></main>",
        escape(title),
        escape(detail)
    );
    document(title, "", &body)
}

pub(crate) fn document(title: &str, head: &str, body: &str) -> String {
    let v = assets::version();
    format!(
        "<!doctype html><html lang=\"en\" data-color-mode=\"light\" \
         data-theme=\"light:light dark:dark spacing:spacing typography:typography shape:shape\">\
         <head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"stylesheet\" href=\"/static/{v}/tokens.css\">\
         <link rel=\"stylesheet\" href=\"/static/{v}/app.css\">{head}</head><body>{body}</body></html>",
        escape(title)
    )
}

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
