//! `galley-core`: the platform every Galley module stands on.
//!
//! - [`module`]: the `Module` trait and the registry of linked modules.
//! - [`db`]: one async database layer for PostgreSQL and SQLite, and the migrations.
//! - [`flags`]: which modules are switched on, live.
//! - [`http`]: problem+json errors, request ids, the module gate, health and metrics.
//! - [`web`]: the shared HTML layout, translations and static assets.
//! - [`config`], [`server`], [`telemetry`]: configuration, start-up and logging.

pub mod answers;
pub mod audit;
pub mod auth;
pub mod config;
pub mod db;
pub mod export;
pub mod file_work;
pub mod flags;
pub mod http;
pub mod kitchen;
pub mod module;
pub mod pdf;
pub mod people;
pub mod schema;
pub mod secret;
pub mod server;
pub mod state;
pub mod telemetry;
pub mod web;

pub use diesel_migrations;
pub use inventory;
