//! End-to-end tests: the real `vigie` binary on real files, real HTTP on localhost and
//! a real `kill -9`. One test binary; one module per concern.

mod common;
mod server;

mod alerts;
mod analytics;
mod anywhere;
mod bad_input;
mod clusters;
mod companies;
mod crash;
mod dashboard;
mod enrich;
mod entities;
mod export;
mod formats;
mod hostile;
mod http;
mod quality;
mod search;
mod serve;
mod stories;
mod topics;
mod watch;
