//! The admin console: HTML pages over the same operations as the JSON API. Every form works
//! without JavaScript, carries the session's CSRF token, shows validation errors next to the
//! field and keeps what was typed.

mod audit;
pub mod form;
mod modules;
mod sites;
mod tenants;
mod tokens;
mod users;

use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

pub use form::{FormErrors, Outcome};

use super::{Page, render};
use crate::auth::{Caller, Role, RoleSet};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(index))
        .merge(sites::router())
        .merge(modules::router())
        .merge(audit::router())
        .merge(tenants::router())
        .merge(users::router())
        .merge(tokens::router())
}

/// A console page's caller, admitted by its role set. Not signed in: off to the sign-in page,
/// and back here afterwards. Signed in without the role: a 403 page.
pub struct Console<R: RoleSet> {
    pub caller: Caller,
    pub page: Page,
    _roles: std::marker::PhantomData<R>,
}

impl<R: RoleSet> FromRequestParts<AppState> for Console<R> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Ok(page) = Page::from_request_parts(parts, state).await;
        let Some(caller) = parts.extensions.get::<Caller>().cloned() else {
            let back = parts
                .extensions
                .get::<axum::extract::OriginalUri>()
                .map_or_else(
                    || parts.uri.path().to_owned(),
                    |uri| uri.0.path().to_owned(),
                );
            return Err(
                Redirect::to(&format!("/login?next={}", percent_path(&back))).into_response(),
            );
        };
        if !R::ROLES.contains(&caller.role) {
            return Err(super::error_page(page, StatusCode::FORBIDDEN));
        }
        Ok(Console {
            caller,
            page,
            _roles: std::marker::PhantomData,
        })
    }
}

impl<R: RoleSet> Console<R> {
    /// The session's CSRF token, for the forms' hidden field.
    pub fn csrf(&self) -> String {
        self.caller.csrf_token().unwrap_or_default().to_owned()
    }
}

/// `?saved=1`, set by [`saved`] after a successful form: the page then says "Saved".
#[derive(Debug, serde::Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

impl Saved {
    pub fn shown(&self) -> bool {
        self.saved.is_some()
    }
}

/// After a successful form: back to `to`, which then says "Saved" (post/redirect/get, so a
/// reload does not post again).
pub fn saved(to: &str) -> Response {
    Redirect::to(&format!("{to}?saved=1")).into_response()
}

/// Paths are ASCII without spaces here; only the characters that would end the parameter
/// need escaping.
fn percent_path(path: &str) -> String {
    path.replace('%', "%25")
        .replace('&', "%26")
        .replace('?', "%3F")
        .replace('#', "%23")
}

crate::role_set!(
    /// Everyone the console has something for.
    ConsoleUsers = [Role::Admin, Role::Superuser]
);

/// One entry of the console's own navigation.
pub struct Section {
    pub href: &'static str,
    pub label_key: &'static str,
}

/// The console sections a role sees.
pub fn sections(role: Role) -> Vec<Section> {
    let section = |href, label_key| Section { href, label_key };
    match role {
        Role::Superuser => vec![
            section("/admin/tenants", "admin.tenants"),
            section("/admin/modules", "admin.modules"),
            section("/admin/audit", "admin.audit"),
        ],
        Role::Admin => vec![
            section("/admin/sites", "admin.sites"),
            section("/admin/users", "admin.users"),
            section("/admin/tokens", "admin.tokens"),
            section("/admin/modules", "admin.modules"),
            section("/admin/audit", "admin.audit"),
        ],
        _ => Vec::new(),
    }
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct IndexTemplate {
    page: Page,
    sections: Vec<Section>,
}

async fn index(console: Console<ConsoleUsers>) -> Response {
    let sections = sections(console.caller.role);
    render(
        StatusCode::OK,
        &IndexTemplate {
            page: console.page,
            sections,
        },
    )
}
