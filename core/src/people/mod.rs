//! Tenants, sites and users: who may use Galley, and where.

pub mod accounts;
pub mod api;
pub mod api_tokens;
pub mod password_resets;
pub mod sites;
pub mod tenants;
pub mod users;
