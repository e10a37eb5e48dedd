//! Each Custom UI resource's entry page, written without inline script or style and checked for
//! anything that Forge's CSP (no `unsafe-inline`, no `unsafe-eval`) would refuse.

use std::fs;
use std::path::Path;

use anyhow::Context as _;

/// The resource's entry page: styles and one module by relative URL, preloads for the modules it
/// imports, and the loading state the views replace.
pub(super) fn index_html(
    dir: &Path,
    title: &str,
    view: &str,
    entry: &str,
) -> anyhow::Result<String> {
    let mut preloads = String::new();
    for name in imports_of(dir, entry)? {
        preloads.push_str(&format!("<link rel=\"modulepreload\" href=\"./{name}\">"));
    }
    Ok(format!(
        "<!doctype html><html lang=\"en\" data-color-mode=\"light\" \
         data-theme=\"light:light dark:dark spacing:spacing typography:typography shape:shape\">\
         <head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"./tokens.css\">\
         <link rel=\"stylesheet\" href=\"./app.css\">{preloads}\
         <script type=\"module\" src=\"./{entry}\"></script></head>\
         <body><main id=\"app\" data-view=\"{view}\"><p class=\"loading\" role=\"status\">Loading…</p></main>\
         </body></html>\n"
    ))
}

/// Every module `entry` imports, directly or not, by the `./name.js` specifiers in the files.
fn imports_of(dir: &Path, entry: &str) -> anyhow::Result<Vec<String>> {
    let mut found: Vec<String> = Vec::new();
    let mut queue = vec![entry.to_owned()];
    while let Some(name) = queue.pop() {
        let text =
            fs::read_to_string(dir.join(&name)).with_context(|| format!("cannot read {name}"))?;
        for line in text.lines().filter(|l| l.starts_with("import ") || l.starts_with("export ")) {
            let spec = line.split(" from \"./").nth(1).and_then(|rest| rest.split('"').next());
            if let Some(spec) = spec.filter(|s| s.ends_with(".js"))
                && spec != entry
                && !found.iter().any(|f| f == spec)
            {
                found.push(spec.to_owned());
                queue.push(spec.to_owned());
            }
        }
    }
    Ok(found)
}

/// Forge's Custom UI CSP has no `unsafe-inline` and no `unsafe-eval`: refuse a build that needs them.
pub(super) fn check_no_inline(dir: &Path) -> anyhow::Result<()> {
    let page = dir.join("index.html");
    let html = fs::read_to_string(&page)?.to_ascii_lowercase();
    // Every script is external and empty: `<script … src=…></script>`.
    let inline_script = html.split("<script").skip(1).any(|rest| {
        let (open, after) = rest.split_once('>').unwrap_or((rest, ""));
        !open.contains(" src=") || !after.starts_with("</script>")
    });
    let handler = html.match_indices(" on").any(|(at, _)| {
        let name = html.get(at.saturating_add(3)..).unwrap_or_default();
        let letters = name.chars().take_while(char::is_ascii_alphabetic).count();
        letters > 0 && name.get(letters..).is_some_and(|rest| rest.starts_with('='))
    });
    let style = html.contains("<style") || html.contains(" style=");
    anyhow::ensure!(
        !inline_script && !handler && !style,
        "{}: inline script, style or event handler",
        page.display()
    );
    for file in fs::read_dir(dir)? {
        let path = file?.path();
        if path.extension().is_some_and(|e| e == "js") {
            let js = fs::read_to_string(&path)?;
            anyhow::ensure!(
                !js.contains("eval(") && !js.contains("new Function("),
                "{}: eval or new Function (Forge's CSP has no unsafe-eval)",
                path.display()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::check_no_inline;
    use crate::shell::target_dir;

    #[test]
    fn inline_script_style_and_handlers_are_refused() {
        let dir = target_dir().join("forge-inline-test");
        fs::create_dir_all(&dir).unwrap();
        let page = |html: &str| {
            fs::write(dir.join("index.html"), html).unwrap();
            check_no_inline(&dir).is_ok()
        };
        assert!(page(
            "<html><script type=\"module\" src=\"./a.js\"></script><p>on the run</p></html>"
        ));
        assert!(!page("<html><script>alert(1)</script></html>"));
        assert!(!page("<html><script src=\"a.js\">alert(1)</script></html>"));
        assert!(!page("<html><style>p{}</style></html>"));
        assert!(!page("<html><p style=\"color:red\">x</p></html>"));
        assert!(!page("<html><img src=x onerror=\"alert(1)\"></html>"));
        fs::write(dir.join("index.html"), "<html></html>").unwrap();
        fs::write(dir.join("bad.js"), "const f = new Function(\"return 1\");").unwrap();
        assert!(check_no_inline(&dir).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }
}
