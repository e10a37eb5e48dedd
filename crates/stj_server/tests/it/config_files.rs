//! Every file in `config/` loads into `Settings` (unknown keys are refused), and the production
//! layer refuses the sandbox.

use stj_server::{Environment, Settings};

use crate::support::{config_dir, settings};

#[test]
fn every_config_file_loads() {
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(config_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        assert_eq!(path.extension().unwrap(), "toml", "unexpected file {}", path.display());
        seen.push(name.clone());
        if name == "base" {
            continue;
        }
        let environment =
            Environment::parse(&name).expect("config file named after an environment");
        let prod_secrets =
            [("APP__SEALING__ACTIVE_KEY_ID", "k1"), ("APP__SEALING__KEYS__K1", &"ab".repeat(32))];
        let overrides: &[(&str, &str)] =
            if environment == Environment::Production { &prod_secrets } else { &[] };
        let settings = settings(environment, overrides);
        assert!(!settings.connect.app_key.is_empty());
    }
    seen.sort();
    assert_eq!(seen, ["base", "local", "production", "test"]);
}

#[test]
fn a_stale_or_misspelt_key_fails_loading() {
    let dir = tempdir();
    std::fs::copy(config_dir().join("base.toml"), dir.join("base.toml")).unwrap();
    std::fs::write(dir.join("test.toml"), "[http]\nprot = 8080\n").unwrap();
    let err = Settings::load(&dir, Environment::Test, Vec::new()).unwrap_err();
    assert!(format!("{err:#}").contains("prot"), "{err:#}");
}

#[test]
fn production_refuses_the_sandbox_and_plain_http() {
    let secrets = [
        ("APP__SEALING__ACTIVE_KEY_ID", "k1"),
        ("APP__SEALING__KEYS__K1", &"ab".repeat(32) as &str),
    ];
    let load = |extra: (&str, &str)| {
        let mut env: Vec<(String, String)> =
            secrets.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        env.push((extra.0.to_owned(), extra.1.to_owned()));
        Settings::load(&config_dir(), Environment::Production, env)
    };
    let err = load(("APP__SANDBOX__ENABLED", "true")).unwrap_err();
    assert!(err.to_string().contains("sandbox"), "{err}");
    let err = load(("APP__CONNECT__BASE_URL", "http://example.com")).unwrap_err();
    assert!(err.to_string().contains("https"), "{err}");
    assert!(load(("APP__HTTP__PORT", "9090")).is_ok());
}

#[test]
fn production_refuses_postgres_without_verified_tls_and_plain_http_serving() {
    let secrets = [
        ("APP__SEALING__ACTIVE_KEY_ID", "k1"),
        ("APP__SEALING__KEYS__K1", &"ab".repeat(32) as &str),
    ];
    let load = |extra: (&str, &str)| {
        let mut env: Vec<(String, String)> =
            secrets.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        env.push((extra.0.to_owned(), extra.1.to_owned()));
        Settings::load(&config_dir(), Environment::Production, env)
    };
    let production = load(("APP__HTTP__PORT", "8080")).unwrap();
    assert_eq!(production.registry.sslmode, stj_registry::SslMode::VerifyFull);
    let err = load(("APP__REGISTRY__SSLMODE", "disable")).unwrap_err();
    assert!(err.to_string().contains("verify-full"), "{err}");
    let err = load(("APP__HTTPS__MODE", "off")).unwrap_err();
    assert!(err.to_string().contains("https.mode"), "{err}");
}

#[test]
fn environment_variables_override_files() {
    let settings = settings(Environment::Test, &[("APP__HTTP__RATE_LIMIT__USER_BURST", "7")]);
    assert_eq!(settings.http.rate_limit.user_burst, 7);
}

#[test]
fn secrets_in_settings_never_print() {
    let settings = settings(Environment::Local, &[]);
    let printed = format!("{settings:?}");
    for key in settings.sealing.keys.values() {
        assert!(!printed.contains(key.expose().as_str()));
    }
    assert!(!printed.contains(settings.registry.url.expose().as_str()));
}

fn tempdir() -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("stj-config-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}
