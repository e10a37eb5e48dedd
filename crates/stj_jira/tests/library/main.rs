//! Template libraries in Jira properties: the `PropertyStore` adapter and `LibraryService` against
//! the sandbox over HTTP, acting as users through the JWT bearer grant.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a failed unwrap is a failed test"
)]

mod adapter;
mod forge;
mod issues;
mod service;
mod spans;

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;
use stj_core::{
    ClientKey, CredentialsError, JiraAccess, TenantCredentials, TenantCredentialsSource, TenantUrl,
};
use stj_jira::{JiraConfig, JiraIssueGateway, RetryConfig};
use stj_jira_sandbox::{
    Entity, ForgeTokenRequest, JiraSandbox, JiraUser, NewProject, Permissions, SandboxConfig,
    TenantInfo,
};
use stj_privacy::Personal;
use stj_subtasks::{Caller, LibraryService, PropertyStore, PropertyTarget};
use stj_templates::{Library, SubtaskSpec, Template, TemplateId};

const APP: &str = "io.subtask-templates.jira";
const APP_URL: &str = "https://subtask-templates.example.com";
const INDEX: &str = "io.subtask-templates.jira.templates";
/// Administers project DEMO.
const ALICE: &str = "5b10ac8d82e05b22cc7d4e01";
/// A member of DEMO: browse, create, edit; no administration.
const BOB: &str = "5b10ac8d82e05b22cc7d4e02";
/// Administers Jira.
const ADA: &str = "5b10ac8d82e05b22cc7d4e03";

#[derive(Debug)]
struct Credentials(TenantCredentials);

#[async_trait]
impl TenantCredentialsSource for Credentials {
    async fn credentials(&self, _: &ClientKey) -> Result<TenantCredentials, CredentialsError> {
        Ok(self.0.clone())
    }
}

/// A sandbox site with the app installed, three users, project DEMO, and the app's adapters.
struct Site {
    sandbox: JiraSandbox,
    tenant: TenantInfo,
    gateway: Arc<JiraIssueGateway>,
    service: LibraryService,
}

impl Site {
    fn new() -> Self {
        let sandbox = JiraSandbox::start(SandboxConfig::default()).unwrap();
        let tenant = sandbox.add_installed_tenant(APP_URL, APP).unwrap();
        let key = &tenant.client_key;
        sandbox.add_project(key, &NewProject::company_managed("DEMO", "Demo")).unwrap();
        let alice = JiraUser::new(ALICE, "Alice").in_project("DEMO", Permissions::ALL);
        sandbox.add_user(key, alice).unwrap();
        sandbox.add_user(key, JiraUser::new(BOB, "Bob")).unwrap();
        sandbox.add_user(key, JiraUser::new(ADA, "Ada").admin()).unwrap();
        let credentials = Credentials(TenantCredentials {
            client_key: key.clone(),
            base_url: tenant.base_url.clone(),
            shared_secret: tenant.shared_secret.clone(),
            oauth_client_id: Some(sandbox.oauth_client_id(key).unwrap()),
        });
        let config = JiraConfig {
            oauth_server_url: sandbox.auth_server_url().to_owned(),
            timeout_ms: 2_000,
            retry: RetryConfig {
                rate_limit_retries: 1,
                transient_retries: 1,
                initial_backoff_ms: 10,
                max_backoff_ms: 50,
            },
            ..JiraConfig::default()
        };
        let gateway = Arc::new(JiraIssueGateway::new(APP, &config, Arc::new(credentials)).unwrap());
        let service = LibraryService::new(gateway.clone(), APP).unwrap();
        Self { sandbox, tenant, gateway, service }
    }

    fn caller(&self, account_id: &str) -> Caller {
        Caller {
            client_key: self.tenant.client_key.clone(),
            account_id: Personal::new(account_id.to_owned()),
            access: JiraAccess::Connect,
        }
    }

    /// `account_id` through the Forge door: the user token Forge would forward with one request,
    /// its claims overridden by `token_claims` (e.g. an `exp` in the past).
    fn forge_caller_with(&self, account_id: &str, token_claims: Value) -> Caller {
        let request = ForgeTokenRequest {
            token_claims: token_claims.as_object().cloned().unwrap_or_default(),
            ..ForgeTokenRequest::user(&self.tenant.client_key, account_id)
        };
        let tokens = self.sandbox.forge_tokens(&request).unwrap();
        Caller {
            access: JiraAccess::ForgeUser {
                api_base_url: TenantUrl::parse(&tokens.site.api_base_url).unwrap(),
                token: tokens.user_token.unwrap(),
            },
            ..self.caller(account_id)
        }
    }

    fn forge_caller(&self, account_id: &str) -> Caller {
        self.forge_caller_with(account_id, Value::Null)
    }

    /// A property as Jira holds it, read without going through REST.
    fn property(&self, entity: Entity<'_>, key: &str) -> Option<Value> {
        self.sandbox.entity_property(&self.tenant.client_key, entity, key).unwrap()
    }

    /// Writes a property behind the app's back, as a user with the REST API could.
    fn edit(&self, entity: Entity<'_>, key: &str, value: Value) {
        self.sandbox.set_entity_property(&self.tenant.client_key, entity, key, value).unwrap();
    }

    /// The target's property keys, as Jira lists them to `account_id`.
    async fn keys(&self, account_id: &str, target: &PropertyTarget) -> Vec<String> {
        let mut keys = self.gateway.keys(&self.caller(account_id), target).await.unwrap();
        keys.sort();
        keys
    }
}

fn personal(account_id: &str) -> PropertyTarget {
    PropertyTarget::User { account_id: Personal::new(account_id.to_owned()) }
}

fn demo() -> PropertyTarget {
    PropertyTarget::project("DEMO")
}

/// `templates` templates of `subtasks` subtasks each, with `pad` non-ASCII characters per summary.
fn library(prefix: &str, templates: usize, subtasks: usize, pad: usize) -> Library {
    let templates = (0..templates)
        .map(|t| Template {
            id: TemplateId::new(format!("{prefix}-{t}")).unwrap(),
            name: format!("{prefix} {t}"),
            description: Some("Line one\n\"quoted\" line two".to_owned()),
            subtask_type: None,
            subtasks: (0..subtasks)
                .map(|s| SubtaskSpec::new(format!("{prefix} {s} {}", "ü".repeat(pad))))
                .collect(),
        })
        .collect();
    Library { revision: 0, templates }
}

/// An issue key, as the gateway takes it.
fn issue(key: &str) -> stj_core::IssueKey {
    stj_core::IssueKey::parse(key).unwrap()
}
