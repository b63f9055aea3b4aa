//! The HTML side: shared layout, home page, module landing pages, error pages and the
//! embedded static assets.

pub mod account;
pub mod admin;
pub mod assets;
pub mod dates;
pub mod i18n;
pub mod lang;
pub mod page;
pub mod reset;
pub mod sign_in;
pub mod site_choice;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

pub use page::{Page, render};

use crate::module::Module;
use crate::state::AppState;

struct ModuleCard {
    id: &'static str,
    title: String,
    description: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeTemplate {
    page: Page,
    modules: Vec<ModuleCard>,
}

#[derive(Template)]
#[template(path = "landing.html")]
struct LandingTemplate {
    page: Page,
    title: String,
    description: String,
    features: Vec<String>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    page: Page,
    status: u16,
    title_key: &'static str,
    body_key: &'static str,
    request_id: Option<String>,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/start", get(start))
        .merge(assets::router())
        .merge(sign_in::router())
        .merge(admin::router())
        .merge(reset::router())
        .merge(account::router())
}

async fn home(State(state): State<AppState>, page: Page) -> Response {
    let snapshot = state.flags.snapshot();
    let modules = state
        .registry
        .modules()
        .iter()
        .filter(|m| page::in_use(&snapshot, m.id(), page.scope, page.tenant_kind.as_deref()))
        .map(|m| ModuleCard {
            id: m.id(),
            title: page.t(&format!("module.{}.title", m.id())).to_owned(),
            description: page.t(&format!("module.{}.description", m.id())).to_owned(),
        })
        .collect();
    render(StatusCode::OK, &HomeTemplate { page, modules })
}

/// `?module=` of `/start`: that module's start page first (its own landing route asks so).
#[derive(Debug, serde::Deserialize)]
struct StartQuery {
    module: Option<String>,
}

/// `/start`, where sign-in goes when no page was asked for: the caller's job, as the enabled
/// modules see it (the first in registry order that answers, or `?module=` first), else `/`.
async fn start(
    State(state): State<AppState>,
    caller: Option<axum::Extension<crate::auth::Caller>>,
    axum::extract::Query(query): axum::extract::Query<StartQuery>,
) -> Response {
    let target = match caller {
        Some(axum::Extension(caller)) => start_target(&state, &caller, query.module.as_deref())
            .await
            .unwrap_or_else(|| "/".to_owned()),
        None => "/".to_owned(),
    };
    let mut response =
        axum::response::IntoResponse::into_response(axum::response::Redirect::to(&target));
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
}

/// The first start page a module the caller uses gives them (see [`page::in_use`]): `first`
/// is asked before the rest, which follow in registry order.
async fn start_target(
    state: &AppState,
    caller: &crate::auth::Caller,
    first: Option<&str>,
) -> Option<String> {
    let snapshot = state.flags.snapshot();
    let scope = caller.flag_scope();
    let kind = page::tenant_kind(state, caller).await;
    let mut modules: Vec<&'static dyn Module> = state
        .registry
        .modules()
        .iter()
        .copied()
        .filter(|m| page::in_use(&snapshot, m.id(), scope, kind.as_deref()))
        .collect();
    modules.sort_by_key(|m| Some(m.id()) != first);
    for module in modules {
        if let Some(path) = module.start_page(state, caller).await {
            // Only a path on this site, as sign-in's `next`.
            if path.starts_with('/') && !path.starts_with("//") {
                return Some(path);
            }
        }
    }
    None
}

/// The landing page of a module at `/{id}`, in the shared layout. Module crates mount it from
/// their `html_router` until they have pages of their own.
///
/// A signed-in person of a tenant is sent on to their start page in the module
/// (`/start?module={id}`): the landing is for strangers, and says what the module covers.
pub fn module_landing(module: &'static dyn Module) -> Router<AppState> {
    Router::new().route(
        "/",
        get(
            move |page: Page, caller: Option<axum::Extension<crate::auth::Caller>>| async move {
                let id = module.id();
                let in_tenant = caller.is_some_and(|axum::Extension(caller)| {
                    caller.tenant_id.is_some() && caller.role != crate::auth::Role::Superuser
                });
                if in_tenant {
                    let mut response = axum::response::IntoResponse::into_response(
                        axum::response::Redirect::to(&format!("/start?module={id}")),
                    );
                    *response.status_mut() = StatusCode::SEE_OTHER;
                    return response;
                }
                let title = page.t(&format!("module.{id}.title")).to_owned();
                let description = page.t(&format!("module.{id}.description")).to_owned();
                let features = module
                    .features()
                    .iter()
                    .map(|f| page.t(&format!("feature.{}", f.id)).to_owned())
                    .collect();
                render(
                    StatusCode::OK,
                    &LandingTemplate {
                        page,
                        title,
                        description,
                        features,
                    },
                )
            },
        ),
    )
}

/// The HTML page for an error status.
pub fn error_page(page: Page, status: StatusCode) -> Response {
    let (title_key, body_key) = match status {
        StatusCode::NOT_FOUND => ("error.not_found_title", "error.not_found_body"),
        StatusCode::METHOD_NOT_ALLOWED => (
            "error.method_not_allowed_title",
            "error.method_not_allowed_body",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("error.too_large_title", "error.too_large_body"),
        s if s.is_server_error() => ("error.server_error_title", "error.server_error_body"),
        _ => ("error.generic_title", "error.generic_body"),
    };
    render(
        status,
        &ErrorTemplate {
            page,
            status: status.as_u16(),
            title_key,
            body_key,
            request_id: crate::http::request_id::current(),
        },
    )
}
