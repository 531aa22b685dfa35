//! Listening: the runtime, the listener, the router, and a graceful stop on SIGINT or
//! SIGTERM (requests in flight are answered, then the process exits).

use crate::{router, Error, Result, ServeConfig};
use std::future::Future;
use std::net::SocketAddr;

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

/// `vigie serve`: one multi-thread runtime, the server bound, `listening` told the
/// address, then serving until SIGINT or SIGTERM.
pub fn serve(config: &ServeConfig, listening: impl FnOnce(SocketAddr)) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("vigie-serve").build().map_err(Error::Serve)?;
    rt.block_on(async {
        let server = Server::bind(config).await?;
        listening(server.local_addr());
        server.run(shutdown_signal()).await
    })
}
