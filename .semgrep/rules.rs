// Test cases for rules.yml: `semgrep scan --test .semgrep/` checks that every `ruleid:` line is
// matched by that rule and no `ok:` line is. Not compiled: it only has to parse.

// ---- stj.secret-in-log
fn logs(jwt: &str, token: &str, secret: Secret<String>, kid: KeyId, e: Error, k: ClientKey) {
    // ruleid: stj.secret-in-log
    tracing::info!(token = %jwt, "verified");
    // ruleid: stj.secret-in-log
    info!(auth.jwt = %jwt, "incoming");
    // ruleid: stj.secret-in-log
    tracing::debug!(%token, "shorthand field");
    // ruleid: stj.secret-in-log
    tracing::warn!(shared_secret = ?secret, "debug of a secret");
    // ruleid: stj.secret-in-log
    tracing::error!("secret was {}", secret.expose());
    // ruleid: stj.secret-in-log
    tracing::info!("Authorization: {authorization}");
    // ruleid: stj.secret-in-log
    tracing::info!(password = password.as_str(), "login");
    // ok: stj.secret-in-log
    tracing::warn!(kid = kid.as_str(), error = %e, "install-key service unreachable");
    // ok: stj.secret-in-log
    tracing::info!(installation.client_key = %k, token_count = 3, "installed");
    // ok: stj.secret-in-log
    let token_len = token.len();
}

// ---- stj.sql-built-from-strings
fn sql(conn: &mut Conn, name: &str, busy: u64) {
    // ruleid: stj.sql-built-from-strings
    diesel::sql_query(format!("SELECT * FROM installations WHERE client_key = '{name}'"));
    // ruleid: stj.sql-built-from-strings
    sql_query(&format!("DELETE FROM installations WHERE client_key = '{}'", name));
    // ruleid: stj.sql-built-from-strings
    conn.batch_execute(&format!("PRAGMA busy_timeout = {busy};"));
    let q = format!("SELECT {name}");
    // ruleid: stj.sql-built-from-strings
    diesel::sql_query(&q);
    // ok: stj.sql-built-from-strings
    diesel::sql_query("SELECT * FROM installations WHERE client_key = $1").bind::<Text, _>(name);
    // ok: stj.sql-built-from-strings
    diesel::sql_query("SELECT 1");
}

// ---- stj.tls-verification-disabled
fn tls() {
    // ruleid: stj.tls-verification-disabled
    let tls = ureq::tls::TlsConfig::builder().disable_verification(true).build();
    // ruleid: stj.tls-verification-disabled
    let config = rustls::ClientConfig::builder().dangerous().with_custom_certificate_verifier(v);
    // ruleid: stj.tls-verification-disabled
    let client = reqwest::Client::builder().danger_accept_invalid_certs(true).build();
    // ok: stj.tls-verification-disabled
    let tls = ureq::tls::TlsConfig::builder().disable_verification(false).build();
    // ok: stj.tls-verification-disabled
    let config = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
}

// ---- stj.handler-without-auth-extractor
// ruleid: stj.handler-without-auth-extractor
pub(crate) async fn leaky(state: web::Data<EdgeState>) -> HttpResponse {
    HttpResponse::Ok().finish()
}

// ruleid: stj.handler-without-auth-extractor
pub(crate) async fn leaky_unit() {
    tracing::debug!("nothing");
}

// ok: stj.handler-without-auth-extractor
pub(crate) async fn context(ApiCaller(principal): ApiCaller) -> HttpResponse {
    HttpResponse::Ok().finish()
}

// ok: stj.handler-without-auth-extractor
pub(crate) async fn glance(state: web::Data<EdgeState>, PageCaller(p): PageCaller) -> HttpResponse {
    HttpResponse::Ok().finish()
}

// nosemgrep: stj.handler-without-auth-extractor -- public by design, suppressed with a reason
pub(crate) async fn descriptor(state: web::Data<EdgeState>) -> HttpResponse {
    HttpResponse::Ok().finish()
}

// ok: stj.handler-without-auth-extractor
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
}

// ---- stj.jwt-verification-default-tolerance
fn jwt_options(key: &HS256Key, token: &str) {
    // ruleid: stj.jwt-verification-default-tolerance
    let claims = key.verify_token::<AtlassianClaims>(token, None);
    // ruleid: stj.jwt-verification-default-tolerance
    let claims = key.verify_token::<AtlassianClaims>(token, Some(VerificationOptions::default()));
    // ruleid: stj.jwt-verification-default-tolerance
    let options = VerificationOptions { accept_future: false, ..VerificationOptions::default() };
    // ok: stj.jwt-verification-default-tolerance
    let options = VerificationOptions {
        time_tolerance: Some(Duration::from_secs(30)),
        ..VerificationOptions::default()
    };
}

// ---- stj.unverified-token-metadata
fn trusts_header(token: &str) -> Result<String, AuthError> {
    // ruleid: stj.unverified-token-metadata
    let metadata = Token::decode_metadata(token).map_err(|_| AuthError::Malformed)?;
    Ok(metadata.key_id().unwrap_or_default().to_owned())
}

impl Authenticator {
    async fn kid(&self, token: &str) -> Option<String> {
        // ruleid: stj.unverified-token-metadata
        let metadata = Token::decode_metadata(token).ok()?;
        metadata.key_id().map(str::to_owned)
    }

    async fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        // ok: stj.unverified-token-metadata
        let metadata = Token::decode_metadata(token).map_err(|_| AuthError::Malformed)?;
        let key = self.key(metadata.key_id())?;
        key.verify_token::<AtlassianClaims>(token, Some(verification_options())).map_err(classify)
    }
}

fn checks_header_then_verifies(key: &HS256Key, token: &str) -> Result<Claims, AuthError> {
    // ok: stj.unverified-token-metadata
    let metadata = Token::decode_metadata(token).map_err(|_| AuthError::Malformed)?;
    if metadata.algorithm() != "HS256" {
        return Err(AuthError::Algorithm);
    }
    let claims = key
        .verify_token::<AtlassianClaims>(token, Some(verification_options()))
        .map_err(|e| classify(&e))?;
    Ok(claims)
}

fn verifies_in_a_closure(candidates: Vec<Tenant>, token: &str) -> Result<Tenant, &'static str> {
    // ok: stj.unverified-token-metadata
    let metadata = Token::decode_metadata(token).map_err(|_| "malformed token")?;
    let (tenant, claims) = candidates
        .into_iter()
        .find_map(|t| {
            let claims = t.key.verify_token::<Map<String, Value>>(token, Some(options())).ok()?;
            Some((t, claims))
        })
        .ok_or("no tenant verifies")?;
    Ok(tenant)
}

// ---- stj.print-or-dbg-in-crates
fn prints(x: u32) {
    // ruleid: stj.print-or-dbg-in-crates
    println!("x = {x}");
    // ruleid: stj.print-or-dbg-in-crates
    let y = dbg!(x);
    // ok: stj.print-or-dbg-in-crates
    tracing::debug!(x, "value");
}

// ---- stj.unwrap-outside-tests
fn unwraps(v: Option<u32>, r: Result<u32, Error>) -> u32 {
    // ruleid: stj.unwrap-outside-tests
    let a = v.unwrap();
    // ruleid: stj.unwrap-outside-tests
    let b = r.expect("config is valid");
    // ok: stj.unwrap-outside-tests
    let c = v.unwrap_or_default();
    a
}

#[expect(clippy::unwrap_used, reason = "literal pattern, covered by tests")]
fn regex(pattern: &str) -> Regex {
    // ok: stj.unwrap-outside-tests
    Regex::new(pattern).unwrap()
}

fn after_the_expect(v: Option<u32>) -> u32 {
    // ruleid: stj.unwrap-outside-tests
    v.unwrap()
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses() {
        // ok: stj.unwrap-outside-tests
        let a = "1".parse::<u32>().unwrap();
    }
}
