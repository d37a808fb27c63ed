//! The server's integration tests, one binary (one link in CI): one
//! module per area, `common` the shared harness. Run one area with
//! `cargo test -p chat-server --test it realtime::`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

#[macro_use]
mod common;

mod api;
mod assistant;
mod attachments;
mod availability;
mod backoffice;
mod cli;
mod customers;
mod deploy_files;
mod hardening;
mod import;
mod knowledge;
mod lifecycle;
mod multinode;
mod pages;
mod prechat;
mod rbac;
mod realtime;
mod receipts;
mod restart;
mod revocation;
mod users;
mod webhooks;
