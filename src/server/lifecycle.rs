//! Starting and stopping the reference server: [`spawn`] inside the caller's tokio runtime, or
//! [`spawn_on_thread`] with its own runtime on its own thread for synchronous callers.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::app::{router, AppState};
use super::config::{RunningServer, ServerConfig};
use super::faults::FaultSet;
use super::oauth::Issuer;
use super::store::Store;
use super::users;

/// How long a server on its own thread lets in-flight requests finish when stopped.
const THREAD_SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Starts a server on the current tokio runtime. It runs until the [`RunningServer`] is dropped
/// or shut down.
pub async fn spawn(config: ServerConfig) -> io::Result<RunningServer> {
    let listener = TcpListener::bind((config.host, config.port)).await?;
    let (state, stop) = serve(listener, config)?;
    Ok(RunningServer {
        base_url: state.base_url.clone(),
        token: state.token.clone(),
        oauth: state.oauth.clone(),
        stop: Some(stop),
        thread: None,
    })
}

/// Starts a server on a new thread with its own multi-threaded tokio runtime. Dropping the
/// [`RunningServer`] (or `shutdown()`) stops the server and joins the thread.
pub fn spawn_on_thread(config: ServerConfig) -> io::Result<RunningServer> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("scimfuzz-server")
        .enable_all()
        .build()?;
    let (ready_tx, ready_rx) =
        std::sync::mpsc::channel::<io::Result<(Arc<AppState>, oneshot::Sender<()>)>>();
    let thread = std::thread::Builder::new()
        .name("scimfuzz-server".into())
        .spawn(move || {
            runtime.block_on(async move {
                let started = match TcpListener::bind((config.host, config.port)).await {
                    Ok(listener) => serve(listener, config),
                    Err(err) => Err(err),
                };
                let (stop_tx, stop_rx) = oneshot::channel();
                match started {
                    Ok((state, stop_server)) => {
                        let _ = ready_tx.send(Ok((state, stop_tx)));
                        let _ = stop_rx.await;
                        let _ = stop_server.send(());
                    }
                    Err(err) => {
                        let _ = ready_tx.send(Err(err));
                    }
                }
            });
            runtime.shutdown_timeout(THREAD_SHUTDOWN_GRACE);
        })?;
    match ready_rx.recv() {
        Ok(Ok((state, stop))) => Ok(RunningServer {
            base_url: state.base_url.clone(),
            token: state.token.clone(),
            oauth: state.oauth.clone(),
            stop: Some(stop),
            thread: Some(thread),
        }),
        Ok(Err(err)) => {
            let _ = thread.join();
            Err(err)
        }
        Err(_) => {
            let _ = thread.join();
            Err(io::Error::other(
                "the server thread ended before it started listening",
            ))
        }
    }
}

/// Builds the state (seeding users if asked) and serves `listener` in a background task until
/// the returned sender fires.
fn serve(
    listener: TcpListener,
    config: ServerConfig,
) -> io::Result<(Arc<AppState>, oneshot::Sender<()>)> {
    let address = listener.local_addr()?;
    let faults = FaultSet::new(&config.faults);
    let state = Arc::new(AppState {
        store: Store::new(&faults),
        faults,
        base_url: base_url(address),
        token: config.token.unwrap_or_else(random_token),
        max_body_bytes: config.max_body_bytes,
        latency: config.latency,
        oauth: config.oauth.map(|oauth| Arc::new(Issuer::new(oauth))),
    });
    users::seed(&state, config.seed_users);
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let app = router(state.clone());
    tokio::spawn(async move {
        let server = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = stop_rx.await;
        });
        if let Err(err) = server.await {
            eprintln!("scimfuzz server stopped: {err}");
        }
    });
    Ok((state, stop_tx))
}

/// `http://HOST:PORT/scim/v2`; an unspecified bind address (0.0.0.0, ::) is shown as loopback.
fn base_url(address: SocketAddr) -> String {
    let host = match address.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_string(),
        ip if ip.is_unspecified() => "[::1]".to_string(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        std::net::IpAddr::V4(ip) => ip.to_string(),
    };
    format!("http://{host}:{}/scim/v2", address.port())
}

fn random_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
