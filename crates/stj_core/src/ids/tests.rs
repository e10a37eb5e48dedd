use super::*;

#[test]
fn client_keys() {
    assert!(ClientKey::parse("jira:1234-5678-9000").is_ok());
    assert!(ClientKey::parse("a4c1e7b2-55d4-3c33-9b43-1f3b7b3d4a6e").is_ok());
    for bad in ["", "a b", "x/y", "é", "a?b", &"k".repeat(256)] {
        assert!(ClientKey::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn key_ids() {
    assert!(KeyId::parse("4a1d3e0c-7a4b-4f5e-8f0a-2a7e1f8b9c0d").is_ok());
    assert!(KeyId::parse("micros/connect-install/key1").is_ok());
    for bad in ["", "../etc", "/abs", "a?b", "a b", "a%2f", "a..b"] {
        assert!(KeyId::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn issue_keys() {
    for good in ["AB-1", "PROJ-123", "A_1-9", "ABCDEFGHIJ-1234567890"] {
        let key = IssueKey::parse(good).unwrap();
        assert_eq!(key.as_str(), good);
    }
    assert_eq!(IssueKey::parse("DEMO-12").unwrap().project_key(), "DEMO");
    for bad in [
        "",
        "A-1",
        "proj-1",
        "PROJ-0",
        "PROJ-01",
        "PROJ",
        "PROJ-",
        "-1",
        "PROJ 1",
        "PROJ-1 ",
        "ABCDEFGHIJK-1",
        "PROJ-12345678901",
        "1PROJ-1",
        "PROJ-1/x",
        "PROJ-1?x",
        "PROJ-١",
        "PROJ-1\n",
        "AB_2-1-2",
    ] {
        assert!(IssueKey::parse(bad).is_err(), "{bad}");
    }
    let message = IssueKey::parse("x y").unwrap_err().to_string();
    assert_eq!(message, "`x y` is not an issue key such as `PROJ-123`");
}

#[test]
fn tenant_urls() {
    let url = TenantUrl::parse("https://acme.atlassian.net/").unwrap();
    assert_eq!(url.as_str(), "https://acme.atlassian.net");
    assert_eq!(url.path(), "");
    assert_eq!(url.host(), "acme.atlassian.net");
    let wiki = TenantUrl::parse("https://acme.atlassian.net/wiki").unwrap();
    assert_eq!(wiki.path(), "/wiki");
    assert!(TenantUrl::parse("http://127.0.0.1:8081").is_ok());
    for bad in [
        "",
        "http://acme.atlassian.net",
        "ftp://acme.atlassian.net",
        "https://u:p@acme.atlassian.net",
        "https://acme.atlassian.net?x=1",
        "https://acme.atlassian.net#f",
        "not a url",
    ] {
        assert!(TenantUrl::parse(bad).is_err(), "{bad}");
    }
}
