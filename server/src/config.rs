//! What `vigie serve` is started with: the data directory, the address and the token,
//! checked before anything listens (an address other than loopback needs a token).

use crate::writer::{SharedSession, Stages};
use crate::{Error, Result};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use subtle::ConstantTimeEq;
use vigie_engine::DataDir;

/// The bearer token every `/api` request must present when one is set.
#[derive(Clone)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(..)")
    }
}

impl Token {
    /// A token given as is (surrounding white space dropped); an empty one is refused.
    pub fn new(token: &str) -> Result<Token> {
        let t = token.trim();
        if t.is_empty() {
            return Err(Error::Config("the token is empty".into()));
        }
        if !t.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::Config("the token must be printable ASCII without spaces (it travels in an HTTP header)".into()));
        }
        Ok(Token(t.to_string()))
    }

    /// The token in a file (its first line), so that it is not on the command line.
    pub fn from_file(path: &Path) -> Result<Token> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::TokenFile { path: path.to_path_buf(), source })?;
        Token::new(text.lines().next().unwrap_or("")).map_err(|e| Error::Config(format!("{}: {e}", path.display())))
    }

    /// Whether `presented` is this token, in time that does not depend on where they
    /// differ (only on their lengths).
    pub fn matches(&self, presented: &[u8]) -> bool {
        self.0.as_bytes().ct_eq(presented).into()
    }
}

/// A checked configuration of the server.
#[derive(Clone)]
pub struct ServeConfig {
    pub data: DataDir,
    pub addr: SocketAddr,
    pub token: Option<Token>,
    /// what `POST /api/ingest` ingests with; `None`: no model stage, made on the first
    /// ingest
    pub stages: Option<Arc<Stages>>,
    /// the watch loop's Session, which ingest requests share (`vigie serve --watch`);
    /// `None`: a Session per ingest request
    pub session: Option<SharedSession>,
}

impl std::fmt::Debug for ServeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeConfig")
            .field("data", &self.data)
            .field("addr", &self.addr)
            .field("token", &self.token)
            .field("stages", &self.stages)
            .field("shared_session", &self.session.is_some())
            .finish()
    }
}

impl ServeConfig {
    /// Refuses an address other than loopback without a token: the API would answer
    /// anyone who can reach the machine.
    pub fn new(data: DataDir, addr: SocketAddr, token: Option<Token>) -> Result<ServeConfig> {
        if token.is_none() && !addr.ip().is_loopback() {
            return Err(Error::Config(format!(
                "refusing to serve on {addr} without a token: an address other than loopback (127.0.0.1, [::1]) needs --token or --token-file"
            )));
        }
        Ok(ServeConfig { data, addr, token, stages: None, session: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_needs_no_token_other_addresses_do() {
        let data = DataDir::new("d");
        let cfg = |a: &str, t: Option<&str>| ServeConfig::new(data.clone(), a.parse().unwrap(), t.map(|t| Token::new(t).unwrap()));
        assert!(cfg("127.0.0.1:8080", None).is_ok());
        assert!(cfg("[::1]:8080", None).is_ok());
        for a in ["0.0.0.0:8080", "192.168.1.5:80", "[::]:8080"] {
            let e = cfg(a, None).unwrap_err();
            assert!(e.to_string().contains("without a token"), "{e}");
            assert_eq!(e.kind(), vigie_engine::ErrorKind::Usage);
            assert!(cfg(a, Some("s3cret")).is_ok());
        }
    }

    #[test]
    fn tokens_compare_whole_and_refuse_empty_ones() {
        let t = Token::new(" s3cret\n").unwrap();
        assert!(t.matches(b"s3cret"));
        assert!(!t.matches(b"s3cre"));
        assert!(!t.matches(b"s3cret2"));
        assert!(!t.matches(b"S3cret"));
        assert!(Token::new("  ").is_err());
        assert!(Token::new("two words").is_err());
        assert_eq!(format!("{t:?}"), "Token(..)");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("token");
        std::fs::write(&p, "from-file\n").unwrap();
        assert!(Token::from_file(&p).unwrap().matches(b"from-file"));
        assert!(matches!(Token::from_file(&dir.path().join("none")), Err(Error::TokenFile { .. })));
    }
}
