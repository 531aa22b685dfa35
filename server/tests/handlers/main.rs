//! Handler tests: the router over a real data directory, called in process, and the
//! server on a real socket.

mod common;

mod auth;
mod dashboard;
mod endpoints;
mod errors;
mod openapi;
mod reload;
mod socket;
