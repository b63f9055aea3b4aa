//! The integration tests of the `galley` crate: one test binary, run on SQLite and, with
//! `TEST_DATABASE_URL`, on PostgreSQL.

// A panic is how a test fails; helpers of this test crate unwrap freely.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod audit_sentences;
mod auth;
mod backup_scripts;
mod browser;
mod cli;
mod client;
mod console;
mod console_audit;
mod console_modules;
mod console_people;
mod console_tenants;
mod db_lost;
mod diet_types;
mod dishes;
mod e2e;
mod e2e_console;
mod error_pages_people;
mod errors;
mod file_work;
mod harness;
mod impersonation;
mod isolation;
mod languages;
mod last_admin;
mod limits;
mod menus;
mod migrations;
mod modules;
mod municipal_admin;
mod municipal_clashes;
mod municipal_dishes;
mod municipal_fixture;
mod municipal_history;
mod municipal_import_hostile;
mod municipal_kitchen;
mod municipal_lists;
mod municipal_menus;
mod municipal_preflight;
mod municipal_screens;
mod municipal_story;
mod municipal_week;
mod municipal_week_whole;
mod navigation;
mod offshore_board;
mod offshore_cycle;
mod offshore_exports;
mod offshore_messages;
mod offshore_prep;
mod offshore_recipe_form;
mod offshore_rota;
mod offshore_rota_pages;
mod offshore_shopping;
mod offshore_waste;
mod openapi;
mod passwords;
mod people;
mod platform;
mod portal_states;
mod probe;
mod ready_answers;
mod recipes;
mod roles;
mod start_pages;
mod text_input;
mod throttle;
mod tokens;
mod work_not_lost;

/// The registry of the application, with every module crate linked.
pub fn registry() -> &'static galley_core::module::Registry {
    galley::registry().unwrap()
}
mod offshore_pages;
