//! Who is calling: browser sessions and API tokens, resolved once per request by [`layer`],
//! with the CSRF check for unsafe requests on a cookie session.

pub mod api;
mod caller;
pub mod impersonation;
pub mod layer;
pub mod password;
mod role;
pub mod session;
pub mod throttle;
pub mod token;

pub use caller::{Allowed, Caller, Credential, RoleSet, path_id_and_caller};
pub use role::Role;
