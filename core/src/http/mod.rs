//! HTTP conventions, one of each: problem+json errors, request ids, the module gate,
//! observability, and the router that puts them together.

pub mod client_ip;
pub mod concurrency;
pub mod csp_report;
pub mod db_failure;
pub mod error;
pub mod error_pages;
pub mod gate;
pub mod health;
pub mod json;
pub mod metrics;
pub mod modules;
pub mod observe;
pub mod openapi;
mod openapi_params;
pub(crate) mod openapi_schema;
mod openapi_shared;
pub mod pagination;
pub mod problem;
pub mod query;
pub mod rate_limit;
pub mod request_id;
mod router;
pub mod security;
pub mod text_input;
pub mod versioned;

pub use error::AppError;
pub use json::ApiJson;
pub use query::ApiQuery;
pub use router::build_router;
