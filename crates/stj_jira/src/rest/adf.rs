//! Plain text → Atlassian Document Format, which Jira REST v3 requires for descriptions.

use serde_json::{Value, json};

/// One paragraph per line; blank lines become empty paragraphs (ADF forbids empty text nodes).
pub(crate) fn paragraphs(text: &str) -> Value {
    let content: Vec<Value> = text
        .lines()
        .map(|line| {
            if line.is_empty() {
                json!({ "type": "paragraph", "content": [] })
            } else {
                json!({ "type": "paragraph", "content": [{ "type": "text", "text": line }] })
            }
        })
        .collect();
    json!({ "type": "doc", "version": 1, "content": content })
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines_become_paragraphs() {
        let doc = super::paragraphs("a\n\nb");
        assert_eq!(doc["content"].as_array().unwrap().len(), 3);
        assert_eq!(doc["content"][2]["content"][0]["text"], "b");
        assert_eq!(doc["content"][1]["content"], serde_json::json!([]));
    }
}
