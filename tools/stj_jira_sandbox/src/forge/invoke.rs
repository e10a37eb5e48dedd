//! `POST /__host/forge/invoke`: what Forge's platform does for a Custom UI `invokeRemote`. The host
//! page's bridge stand-in names its page and the call; the sandbox mints a fresh FIT and user token
//! for the page's user, site, licence and module context, and forwards the call to the remote.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::ForgeTokenRequest;
use crate::host::bridge::{error, host_page};
use crate::tenants::random_alnum;
use crate::{Sandbox, SandboxError};

/// Unknown fields (the bridge also sends `module`) are ignored.
#[derive(Debug, Deserialize)]
pub(crate) struct Invoke {
    page: String,
    path: String,
    method: String,
    #[serde(default)]
    headers: Map<String, Value>,
    #[serde(default)]
    body: Value,
}

/// Headers a page may not set: Forge sets the credentials, the HTTP client the framing.
const RESERVED: [&str; 5] = ["authorization", "cookie", "host", "content-length", "content-type"];

pub(crate) async fn invoke(
    req: HttpRequest,
    sandbox: web::Data<Sandbox>,
    call: web::Json<Invoke>,
) -> HttpResponse {
    let page = match host_page(&req, &sandbox, &call.page) {
        Ok(page) => page,
        Err((status, message)) => return error(status, message),
    };
    let method = call.method.to_ascii_uppercase();
    if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str())
        || !call.path.starts_with('/')
    {
        return error(
            StatusCode::BAD_REQUEST,
            "method must be GET, POST, PUT, PATCH or DELETE and path absolute",
        );
    }
    let mut request = ForgeTokenRequest::user(&page.client_key, &page.account_id);
    request.extension = Some(extension(&page.jira));
    // The page's persona decides the licence (an unlicensed viewer on a licensed site).
    let licence = page.licence.map_or(Value::Null, |active| json!({ "isActive": active }));
    request.claims.insert("app.license".to_owned(), licence);
    let forwarded = async {
        let tokens = sandbox.forge_tokens(&request)?;
        let remote = sandbox.forge_remote(&page.client_key)?;
        let mut headers: Vec<(String, String)> = call
            .headers
            .iter()
            .filter(|(name, _)| {
                let name = name.to_ascii_lowercase();
                !RESERVED.contains(&name.as_str()) && !name.starts_with("x-forge-")
            })
            .filter_map(|(name, value)| Some((name.clone(), value.as_str()?.to_owned())))
            .collect();
        headers.push(("Authorization".to_owned(), format!("Bearer {}", tokens.fit.expose())));
        if let Some(user) = &tokens.user_token {
            headers.push(("x-forge-oauth-user".to_owned(), user.expose().clone()));
        }
        headers.push(("x-b3-traceid".to_owned(), random_alnum(32).to_ascii_lowercase()));
        let body = (!call.body.is_null() && method != "GET").then(|| call.body.clone());
        let url = format!("{remote}{}", call.path);
        sandbox.send_json(&method, &url, headers, body).await
    };
    match forwarded.await {
        Ok(answer) => {
            let mut headers: Map<String, Value> = Map::new();
            for (name, value) in answer.headers {
                let values = headers.entry(name).or_insert_with(|| json!([]));
                if let Some(list) = values.as_array_mut() {
                    list.push(Value::String(value));
                }
            }
            let body = serde_json::from_str::<Value>(&answer.body).unwrap_or(Value::Null);
            HttpResponse::Ok()
                .insert_header(("Cache-Control", "no-store"))
                .json(json!({ "status": answer.status, "headers": headers, "body": body }))
        }
        Err(e @ (SandboxError::NotInstalled(_) | SandboxError::UnknownTenant(_))) => {
            error(StatusCode::CONFLICT, &e.to_string())
        }
        Err(e) => error(StatusCode::BAD_GATEWAY, &e.to_string()),
    }
}

/// Forge's `context.extension` for the page: the issue and project it shows.
fn extension(jira: &Value) -> Value {
    let mut extension = json!({});
    if let (Some(obj), Some(issue)) = (extension.as_object_mut(), jira.get("issue")) {
        let type_id = issue.pointer("/issuetype/id").cloned().unwrap_or(Value::Null);
        obj.insert(
            "issue".to_owned(),
            json!({ "id": issue.get("id"), "key": issue.get("key"), "typeId": type_id }),
        );
    }
    if let (Some(obj), Some(project)) = (extension.as_object_mut(), jira.get("project")) {
        obj.insert("project".to_owned(), project.clone());
    }
    extension
}
