//! A JWKS server on loopback that counts its fetches and can be taken down.

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use jwt_simple::prelude::*;
use serde_json::{Value, json};
use stj_forge::{FitVerifier, ForgeKeys};
use stj_jira::{HttpJwksSource, JiraConfig};

#[derive(Debug, Default)]
pub struct JwksState {
    pub document: Mutex<Value>,
    pub down: AtomicBool,
    pub fetches: AtomicU64,
    /// How long each answer takes (a slow JWKS keeps a fetch in flight).
    pub delay_ms: AtomicU64,
}

pub struct JwksServer {
    pub url: String,
    pub state: Arc<JwksState>,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn jwks(state: web::Data<JwksState>) -> HttpResponse {
    state.fetches.fetch_add(1, Ordering::SeqCst);
    let delay = state.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        actix_web::rt::time::sleep(Duration::from_millis(delay)).await;
    }
    if state.down.load(Ordering::SeqCst) {
        return HttpResponse::ServiceUnavailable().finish();
    }
    let doc = state.document.lock().unwrap().clone();
    HttpResponse::Ok().json(doc)
}

pub fn jwk(pair: &RS256KeyPair) -> Value {
    serde_json::from_str(&pair.public_key().to_jwk()).unwrap()
}

/// A JWKS document holding the given pairs' public keys (`kid`, `kty`, `alg`, `use`, `n`, `e`).
pub fn document(pairs: &[&RS256KeyPair]) -> Value {
    json!({ "keys": pairs.iter().map(|p| jwk(p)).collect::<Vec<_>>() })
}

pub fn start(doc: Value) -> JwksServer {
    let state = Arc::new(JwksState { document: Mutex::new(doc), ..JwksState::default() });
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/.well-known/jwks.json", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    let served = web::Data::from(state.clone());
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                App::new()
                    .app_data(served.clone())
                    .route("/.well-known/jwks.json", web::get().to(jwks))
            })
            .workers(1)
            .listen(listener)
            .unwrap()
            .run();
            tx.send(server.handle()).unwrap();
            server.await.unwrap();
        });
    });
    let handle = rx.recv().unwrap();
    JwksServer { url, state, handle }
}

pub const APP_ID: &str = "0f8f4b9e-6a51-4b7c-9a55-2f9d1f1b0a11";

/// A verifier reading `server`'s JWKS through the real adapter.
pub fn verifier(server: &JwksServer, ttl: Duration, min_refetch: Duration) -> FitVerifier {
    let source = HttpJwksSource::new(&server.url, &JiraConfig::default()).unwrap();
    let keys = Arc::new(ForgeKeys::new(Arc::new(source), ttl, min_refetch));
    FitVerifier::new(keys, APP_ID, Duration::from_secs(30))
}
