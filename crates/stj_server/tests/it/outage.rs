//! Database down: readiness and authenticated calls answer 503 with a clear body, and the app
//! recovers without a restart when the database returns. A TCP proxy in front of the real
//! Postgres is cut and restored.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{Db, TestApp, postgres_url, spawn_app_with};

struct Proxy {
    address: String,
    cut: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let cut = Arc::new(AtomicBool::new(false));
        let open = Arc::new(Mutex::new(Vec::new()));
        let (cut2, open2) = (Arc::clone(&cut), Arc::clone(&open));
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if cut2.load(Ordering::SeqCst) {
                    drop(client.shutdown(Shutdown::Both));
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else { continue };
                let mut open = open2.lock().unwrap();
                open.push(client.try_clone().unwrap());
                open.push(server.try_clone().unwrap());
                pump(client.try_clone().unwrap(), server.try_clone().unwrap());
                pump(server, client);
            }
        });
        Self { address, cut, open }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for stream in self.open.lock().unwrap().drain(..) {
            drop(stream.shutdown(Shutdown::Both));
        }
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 || to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        drop(to.shutdown(Shutdown::Both));
    });
}

fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now().checked_add(Duration::from_secs(20)).unwrap();
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn database_down_is_503_and_the_app_recovers_without_restart() {
    let mut url = url::Url::parse(&postgres_url()).unwrap();
    let upstream = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let proxy = Proxy::start(upstream);
    let (host, port) = proxy.address.split_once(':').unwrap();
    url.set_host(Some(host)).unwrap();
    url.set_port(Some(port.parse().unwrap())).unwrap();
    let app: TestApp = spawn_app_with(
        Db::PostgresAt(url.to_string()),
        &[("APP__CONNECT__TENANT_CACHE_SECS", "0"), ("APP__REGISTRY__CONNECT_TIMEOUT_MS", "1000")],
    );
    let tenant = app.install();
    let call = |app: &TestApp| {
        app.request("GET", "/api/v1/context", Some(&app.context_auth(&tenant, "u")), None)
    };
    assert_eq!(app.request("GET", "/readyz", None, None).status, 200);
    assert_eq!(call(&app).status, 200);

    proxy.cut();
    let ready = app.request("GET", "/readyz", None, None);
    assert_eq!(ready.status, 503, "{}", ready.body);
    assert_eq!(ready.json()["code"], "registry_unavailable");
    let api = call(&app);
    assert_eq!(api.status, 503, "{}", api.body);
    assert_eq!(api.json()["code"], "auth_unavailable");
    assert!(!api.body.contains("postgres"), "no internals leak: {}", api.body);
    assert_eq!(
        app.request("GET", "/healthz", None, None).status,
        200,
        "liveness does not depend on the database"
    );

    proxy.restore();
    eventually("readyz back to 200", || app.request("GET", "/readyz", None, None).status == 200);
    eventually("API back to 200", || call(&app).status == 200);
}
