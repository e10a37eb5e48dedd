//! The frame every host page shares: Jira's top bar (app pages, user switcher, theme), an optional
//! project sidebar, the main landmark and the flag region. No inline script or style: behaviour
//! lives in `/sandbox/static/host.js`, looks in `/sandbox/static/host.css`.

use std::fmt::Write as _;

use super::session::{Door, Persona, Prefs};

/// HTML-escape text for element content and quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A link in the top bar or the sidebar.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    /// Stable element id, for browser tests.
    pub id: String,
    pub href: String,
    pub text: String,
    pub current: bool,
}

/// One host page, before it is laid out.
#[derive(Debug, Clone)]
pub(crate) struct Chrome<'a> {
    pub title: &'a str,
    pub prefs: &'a Prefs,
    /// Display name of the signed-in persona on this site.
    pub user_name: &'a str,
    /// The path the switcher forms submit to (this page, without its query).
    pub path: &'a str,
    /// App pages in the top bar ("Apps").
    pub top_links: Vec<Link>,
    /// The project sidebar: project name and its links.
    pub sidebar: Option<(String, Vec<Link>)>,
    /// Inside `<main>`.
    pub main: String,
    /// `data-*` attributes of `<body>`, for the page's script.
    pub data: Vec<(&'static str, String)>,
}

impl Chrome<'_> {
    pub fn render(&self) -> String {
        let theme = self.prefs.theme;
        let mut html = format!(
            "<!doctype html><html lang=\"en\" data-color-mode=\"{mode}\" \
             data-theme=\"light:light dark:dark spacing:spacing typography:typography\">\
             <head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, \
             initial-scale=1\"><title>{title} - Jira sandbox</title>\
             <link rel=\"icon\" href=\"data:,\">\
             <link rel=\"stylesheet\" href=\"/sandbox/static/host.css\">\
             <script src=\"/sandbox/static/host.js\"></script>\
             <script src=\"/sandbox/static/forge-host.js\"></script></head><body",
            mode = theme.as_str(),
            title = escape(self.title),
        );
        for (name, value) in &self.data {
            let _ = write!(html, " data-{name}=\"{}\"", escape(value));
        }
        html.push_str("><a class=\"skip-link\" href=\"#host-main\">Skip to content</a>");
        html.push_str(&self.top_bar());
        html.push_str("<div class=\"layout\">");
        if let Some((project, links)) = &self.sidebar {
            let _ = write!(
                html,
                "<nav id=\"project-sidebar\" class=\"sidebar\" aria-label=\"Project\">\
                 <p class=\"sidebar-project\">{}</p>{}</nav>",
                escape(project),
                link_list(links)
            );
        }
        let _ = write!(
            html,
            "<main id=\"host-main\" tabindex=\"-1\">{}</main></div>\
             <div id=\"flags\" class=\"flags\" aria-label=\"Notifications\" role=\"region\"></div>\
             </body></html>",
            self.main
        );
        html
    }

    fn top_bar(&self) -> String {
        let persona = self.prefs.persona;
        let mut options = String::new();
        for p in Persona::ALL {
            let selected = if p == persona { " selected" } else { "" };
            let _ = write!(
                options,
                "<option value=\"{}\"{selected}>{}</option>",
                p.as_str(),
                escape(p.label())
            );
        }
        let next = self.prefs.theme.other();
        let pressed = self.prefs.theme.as_str() == "dark";
        let forge = self.prefs.door == Door::Forge;
        let other_door = if forge { Door::Connect } else { Door::Forge };
        format!(
            "<header class=\"top-bar\"><a class=\"brand\" href=\"/browse/DEMO-1\">Jira \
             <span class=\"brand-note\">sandbox</span></a>\
             <nav class=\"top-nav\" aria-label=\"Apps\">{links}</nav>\
             <div class=\"top-controls\">\
             <form id=\"user-switcher-form\" class=\"switcher\" method=\"get\" action=\"{path}\">\
             <label for=\"user-switcher\">Signed in as</label>\
             <select id=\"user-switcher\" name=\"as\">{options}</select>\
             <button type=\"submit\" id=\"user-switch-submit\">Switch user</button></form>\
             <form id=\"theme-form\" method=\"get\" action=\"{path}\">\
             <button type=\"submit\" id=\"theme-toggle\" name=\"theme\" value=\"{next}\" \
             aria-pressed=\"{pressed}\">Dark theme</button></form>\
             <form id=\"door-form\" method=\"get\" action=\"{path}\">\
             <button type=\"submit\" id=\"door-toggle\" name=\"door\" value=\"{other_door}\" \
             aria-pressed=\"{forge}\">Forge app</button></form>\
             <span id=\"current-user\" class=\"avatar\" title=\"{user}\" data-persona=\"{persona}\">\
             {initials}</span></div></header>",
            links = link_list(&self.top_links),
            path = escape(self.path),
            next = next.as_str(),
            other_door = other_door.as_str(),
            user = escape(self.user_name),
            persona = persona.as_str(),
            initials = escape(&initials(self.user_name)),
        )
    }
}

fn link_list(links: &[Link]) -> String {
    let mut html = String::from("<ul>");
    for link in links {
        let current = if link.current { " aria-current=\"page\"" } else { "" };
        let _ = write!(
            html,
            "<li><a id=\"{}\" href=\"{}\"{current}>{}</a></li>",
            escape(&link.id),
            escape(&link.href),
            escape(&link.text)
        );
    }
    html.push_str("</ul>");
    html
}

/// "Ada Admin" → "AA", for the avatar.
fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(initials("Ada Admin"), "AA");
        assert_eq!(initials(""), "");
    }
}
