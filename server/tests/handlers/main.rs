//! Handler tests: the router over a real data directory, called in process, and the
//! server on a real socket.

mod common;

mod alerts;
mod auth;
mod dashboard;
mod endpoints;
mod errors;
mod ingest;
mod monitoring;
mod openapi;
mod reload;
mod socket;
