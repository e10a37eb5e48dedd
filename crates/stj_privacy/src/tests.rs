use crate::{Personal, Secret, redact_query};

#[test]
fn secrets_never_print() {
    let secret = Secret::new("canary-shared-secret".to_owned());
    assert_eq!(format!("{secret}"), "[redacted]");
    assert_eq!(format!("{secret:?}"), "[redacted]");
    assert_eq!(format!("{:?}", Some(&secret)), "Some([redacted])");
    assert_eq!(secret.expose(), "canary-shared-secret");
}

#[test]
fn personal_data_never_prints_but_has_a_stable_pseudonym() {
    let id = Personal::new("5b10ac8d82e05b22cc7d4ef5".to_owned());
    assert_eq!(format!("{id} {id:?}"), "[redacted] [redacted]");
    assert_eq!(id.pseudonym(), Personal::new("5b10ac8d82e05b22cc7d4ef5").pseudonym());
    assert_eq!(id.pseudonym().len(), 16);
    assert!(!id.pseudonym().contains("5b10ac8d"));
}

#[test]
fn jwt_is_removed_from_logged_urls() {
    let cases = [
        (
            "/panel?issueKey=A-1&jwt=eyJ.x.y&lic=active",
            "/panel?issueKey=A-1&jwt=[redacted]&lic=active",
        ),
        ("/panel?JWT=eyJ", "/panel?JWT=[redacted]"),
        ("/healthz", "/healthz"),
        ("/x?jwt", "/x?jwt=[redacted]"),
        ("/x?a=1&access_token=abc", "/x?a=1&access_token=[redacted]"),
        // Encoded names are the same parameter to the server, so they are redacted too.
        ("/x?%6Awt=eyJ.x.y", "/x?%6Awt=[redacted]"),
        ("/x?j%77t=eyJ&k=1", "/x?j%77t=[redacted]&k=1"),
        ("/x?%4A%57%54=eyJ", "/x?%4A%57%54=[redacted]"),
        ("/x?shared%53ecret=s", "/x?shared%53ecret=[redacted]"),
        ("/x?jwt+=eyJ", "/x?jwt+=[redacted]"),
        ("/x?jwtx=1", "/x?jwtx=1"),
        ("/x?a=1&&%20jwt=2&", "/x?a=1&&%20jwt=[redacted]&"),
        ("/x?", "/x?"),
    ];
    for (input, want) in cases {
        assert_eq!(redact_query(input), want, "{input}");
    }
}
