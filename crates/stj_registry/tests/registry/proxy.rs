//! A TCP proxy in front of Postgres that a test can black-hole and bring back.

use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[derive(Debug)]
pub struct Proxy {
    port: u16,
    up: watch::Sender<bool>,
    accept: JoinHandle<()>,
}

impl Proxy {
    pub async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (up, watching) = watch::channel(true);
        let accept = tokio::spawn(async move {
            loop {
                if let Ok((client, _)) = listener.accept().await {
                    tokio::spawn(relay(client, upstream.clone(), watching.clone()));
                }
            }
        });
        Self { port, up, accept }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The database goes silent: open and new connections stay open but nothing gets through,
    /// the worst case for a client (no error, just waiting).
    pub fn cut(&self) {
        self.up.send_replace(false);
    }

    /// Closes the connections silenced by `cut` and forwards new ones again.
    pub fn restore(&self) {
        self.up.send_replace(true);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn relay(mut client: TcpStream, upstream: String, mut up: watch::Receiver<bool>) {
    let live = *up.borrow();
    if live && let Ok(mut server) = TcpStream::connect(&upstream).await {
        tokio::select! {
            _ = copy_bidirectional(&mut client, &mut server) => return,
            _ = up.wait_for(|up| !*up) => {}
        }
    }
    // Cut, or accepted while cut: the client end stays open and silent until restored.
    let _ = up.wait_for(|up| *up).await;
}
