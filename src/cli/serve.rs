//! `vigie serve`: the HTTP API over the data directory until SIGINT/SIGTERM.

use super::common::{user_error, Ctx};
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use vigie_server::{ServeConfig, Token};

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (port 0: a free port); an address other than loopback needs
    /// a token
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Every /api request must send `Authorization: Bearer TOKEN`
    #[arg(long, env = "VIGIE_TOKEN", hide_env_values = true, conflicts_with = "token_file")]
    pub token: Option<String>,
    /// Read the token from the first line of a file (kept off the command line)
    #[arg(long)]
    pub token_file: Option<PathBuf>,
}

/// A server error the user can fix (a setting, an address in use) exits 1.
fn setting(e: vigie_server::Error) -> anyhow::Error {
    match e.kind() {
        vigie_engine::ErrorKind::Usage => user_error(e.to_string()),
        vigie_engine::ErrorKind::Internal => e.into(),
    }
}

pub fn run(ctx: &Ctx, a: ServeArgs) -> anyhow::Result<ExitCode> {
    let token = match (&a.token, &a.token_file) {
        (Some(t), _) => Some(Token::new(t).map_err(setting)?),
        (None, Some(f)) => Some(Token::from_file(f).map_err(setting)?),
        (None, None) => None,
    };
    let config = ServeConfig::new(ctx.dir(), a.addr, token).map_err(setting)?;
    vigie_server::serve(&config, |addr| eprintln!("vigie: serving http://{addr}/")).map_err(setting)?;
    Ok(ExitCode::SUCCESS)
}
