//! Listening: the runtime, the listener, the router, the watch loop of `--watch`, and a
//! graceful stop on SIGINT or SIGTERM (requests in flight are answered, the watch
//! loop's batch in flight committed, then the process exits).

use crate::writer::{SharedSession, Stages};
use crate::{router, Error, Result, ServeConfig};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use vigie_engine::alerts::Notifier;
use vigie_engine::watcher::{Schedule, WatchEvents, Watcher};
use vigie_engine::{IngestOptions, Session};
use vigie_pipeline::ingest::FormatChoice;
use vigie_pipeline::runner::Analyzer;

/// A server bound to its address, not serving yet.
pub struct Server {
    listener: tokio::net::TcpListener,
    app: axum::Router,
    addr: SocketAddr,
}

impl Server {
    /// Binds the configuration's address (port 0: a free port, see [`Server::local_addr`]).
    pub async fn bind(config: &ServeConfig) -> Result<Server> {
        let listener = tokio::net::TcpListener::bind(config.addr).await.map_err(|source| Error::Bind { addr: config.addr, source })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind { addr: config.addr, source })?;
        Ok(Server { listener, app: router(config), addr })
    }

    /// The address it listens on, with the real port.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `shutdown` completes, then answers the requests in flight and returns.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        tracing::info!(addr = %self.addr, "serving");
        axum::serve(self.listener, self.app).with_graceful_shutdown(shutdown).await.map_err(Error::Serve)
    }
}

/// Completes on the first SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "SIGINT cannot be caught");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "SIGTERM cannot be caught");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
    tracing::info!("stopping: answering the requests in flight");
}

/// The watch loop `vigie serve --watch` runs beside the server: what it polls and
/// how, what it reports, and where the alert rules it runs after each poll deliver.
pub struct Watch {
    pub watcher: Watcher,
    /// the format of the watched files (`--format`)
    pub format: FormatChoice,
    pub events: Box<dyn WatchEvents + Send>,
    pub notifier: Box<dyn Notifier + Send>,
}

/// `vigie serve`: one multi-thread runtime, the server bound, `listening` told the
/// address, then serving until SIGINT or SIGTERM. With `watch`, the watch loop runs on
/// a thread of its own through a Session opened here and shared with the ingest
/// endpoint; a signal stops both (the batch in flight is committed, the marks saved,
/// the Session closed); a watch loop that ends on an error stops the server too.
pub fn serve(config: &ServeConfig, watch: Option<Watch>, listening: impl FnOnce(SocketAddr)) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("vigie-serve").build().map_err(Error::Serve)?;
    let mut config = config.clone();
    let stages = match &config.stages {
        Some(s) => s.clone(),
        None => Arc::new(Stages::without_model()?),
    };
    config.stages = Some(stages.clone());
    let stop = Arc::new(AtomicBool::new(false));
    let session: Option<SharedSession> = match &watch {
        Some(_) => Some(Arc::new(tokio::sync::Mutex::new(Some(Session::open(config.data.clone())?)))),
        None => None,
    };
    config.session = session.clone();
    let (ended, watch_ended) = tokio::sync::oneshot::channel::<()>();
    let served = rt.block_on(async {
        let server = Server::bind(&config).await?;
        Ok::<_, Error>(server)
    });
    let server = match served {
        Ok(s) => s,
        Err(e) => {
            close(session);
            return Err(e);
        }
    };
    listening(server.local_addr());
    let thread = match (watch, session) {
        (Some(w), Some(slot)) => {
            let (stop, stages) = (stop.clone(), stages.clone());
            let spawned = std::thread::Builder::new().name("vigie-watch".into()).spawn(move || {
                let ran = watch_loop(w, &slot, &stages, &stop);
                // the Session closes when the loop is over, after any ingest request in flight
                let closed = slot.blocking_lock().take().map(Session::close).transpose();
                let _ = ended.send(());
                ran.and(closed.map(|_| ()))
            });
            Some(spawned.map_err(Error::Serve)?)
        }
        _ => None,
    };
    let flag = stop.clone();
    let ran = rt.block_on(server.run(async move {
        tokio::select! {
            _ = shutdown_signal() => {}
            // a watch loop that stopped on an error stops the server
            Ok(()) = watch_ended => {}
        }
        flag.store(true, Ordering::SeqCst);
    }));
    stop.store(true, Ordering::SeqCst);
    if let Some(t) = thread {
        match t.join() {
            Ok(r) => r?,
            Err(_) => return Err(Error::Config("the watch loop panicked".into())),
        }
    }
    ran
}

/// The watch loop, its session borrowed per poll from `slot`.
fn watch_loop(mut w: Watch, slot: &SharedSession, stages: &Stages, stop: &AtomicBool) -> vigie_engine::Result<()> {
    let opts = IngestOptions::new(w.format, &stages.lang, stages.analyzer.as_deref().map(|a| a as &dyn Analyzer));
    let schedule = Schedule::system(None);
    let borrow =
        || tokio::sync::MutexGuard::map(slot.blocking_lock(), |s| s.as_mut().expect("the session closes only after the watch loop"));
    let polls = w.watcher.run_borrowing(borrow, &opts, Some(&mut *w.notifier), &schedule, stop, &mut *w.events)?;
    tracing::info!(polls, "watch loop stopped");
    Ok(())
}

/// Closes a session that was opened for a server that did not start.
fn close(session: Option<SharedSession>) {
    if let Some(s) = session.and_then(|s| s.blocking_lock().take()) {
        if let Err(e) = s.close() {
            tracing::warn!(error = %e, "closing the session");
        }
    }
}
