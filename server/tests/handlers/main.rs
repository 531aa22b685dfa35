//! Handler tests: the router over a real data directory, called in process, and the
//! server on a real socket.

mod common;

mod auth;
mod endpoints;
mod errors;
mod monitoring;
mod openapi;
mod reload;
mod socket;
