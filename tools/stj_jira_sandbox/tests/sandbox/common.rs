//! A stand-in app that records what the sandbox sends it and answers a settable status.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    /// Every header, names in lower case.
    pub headers: BTreeMap<String, String>,
    pub body: serde_json::Value,
}

#[derive(Debug, Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    status: AtomicU16,
}

#[derive(Debug)]
pub struct RecorderApp {
    pub base_url: String,
    shared: Arc<Shared>,
    handle: ServerHandle,
}

impl RecorderApp {
    /// Serves under `path_prefix` (e.g. `/connect`); answers 204 until told otherwise.
    pub fn start(path_prefix: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}{path_prefix}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared { status: AtomicU16::new(204), ..Shared::default() });
        let data = web::Data::from(shared.clone());
        let handle = serve(listener, move |app| {
            app.app_data(data.clone()).default_service(web::to(record));
        });
        Self { base_url, shared, handle }
    }

    pub fn answer(&self, status: u16) {
        self.shared.status.store(status, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }
}

/// Serves an app made by `configure` on `listener` (one worker, a thread and runtime of its own)
/// until its handle stops it.
pub fn serve(
    listener: TcpListener,
    configure: impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
) -> ServerHandle {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || App::new().configure(configure.clone()))
                .workers(1)
                .disable_signals()
                .listen(listener)
                .unwrap()
                .run();
            tx.send(server.handle()).unwrap();
            server.await.unwrap();
        });
    });
    rx.recv_timeout(Duration::from_secs(10)).unwrap()
}

impl Drop for RecorderApp {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn record(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    shared.received.lock().unwrap().push(Received {
        method: req.method().to_string(),
        path: req.uri().path().to_owned(),
        authorization: req.headers().get("Authorization").map(|v| v.to_str().unwrap().to_owned()),
        headers: req
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
            .collect(),
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    });
    let status =
        actix_web::http::StatusCode::from_u16(shared.status.load(Ordering::SeqCst)).unwrap();
    let mut response = HttpResponse::build(status);
    // A 200 says what it got, as a JSON body; other statuses have none.
    if status.as_u16() == 200 {
        return response
            .json(serde_json::json!({ "path": req.path(), "method": req.method().as_str() }));
    }
    response.finish()
}

/// A blocking GET with a short timeout; statuses come back as values, not errors.
pub fn get(url: &str, authorization: Option<&str>) -> Result<(u16, String), ureq::Error> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(5)))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let mut request = agent.get(url);
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    let mut response = request.call()?;
    let status = response.status().as_u16();
    Ok((status, response.body_mut().read_to_string()?))
}
