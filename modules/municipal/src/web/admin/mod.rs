//! The municipal admin pages at `/municipal/admin`: a kitchen's departments (with their diet
//! defaults, resident schedules and staff), its diet types and its settings. Admins change
//! things; cooks and viewers see the same pages without the forms; department staff get a
//! 403 page. Every form works without JavaScript, carries the CSRF token and the version it
//! was filled in against, and calls the same operation as the JSON API.

mod attention;
mod department;
mod departments;
mod diets;
mod settings;
mod text;
mod week;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use galley_core::auth::{Caller, Role};
use galley_core::http::AppError;
use galley_core::people::sites::{self, Site};
use galley_core::state::AppState;
use galley_core::web::admin::{Console, FormErrors, Outcome};
use galley_core::web::{Page, error_page, render};

use crate::api::KitchenReaders;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(index))
        .merge(attention::router())
        .merge(departments::router())
        .merge(department::router())
        .merge(week::router())
        .merge(diets::router())
        .merge(settings::router())
}

/// Whether the caller may change what the page shows (the others see it read-only).
fn can_edit(caller: &Caller) -> bool {
    caller.role == Role::Admin
}

/// An operation's failure as a page in the reader's language (403, 404, 500...).
fn failed(page: Page, error: AppError) -> Response {
    let status = error.into_response().status();
    error_page(page, status)
}

/// A kitchen of the caller's tenant; any other id is unknown.
async fn own_site(state: &AppState, caller: &Caller, site_id: i64) -> Result<Site, AppError> {
    let tenant = caller.tenant_id.ok_or(AppError::NotFound)?;
    let mut pooled = state.db.get().await?;
    sites::find(&mut pooled.conn(), tenant, site_id)
        .await?
        .ok_or(AppError::NotFound)
}

/// A form's fields as sent, in order: checkboxes and inputs named per row arrive as several
/// pairs, which a struct cannot describe.
#[derive(Debug, Default)]
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    }

    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(key, _)| key == name)
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    /// The `etag` hidden field, the form's If-Match.
    fn etag(&self) -> Option<&str> {
        Some(self.get("etag")).filter(|tag| !tag.is_empty())
    }
}

/// A whole number typed into a form; `None` when it is not one.
fn number(text: &str) -> Option<i32> {
    text.trim().parse().ok()
}

/// The form's errors in the reader's language: each field's message by the kind of field
/// (`rename` maps the operation's field names to the form's), and a conflict about a name.
fn translated(
    page: &Page,
    mut errors: FormErrors,
    rename: impl Fn(&str) -> String,
    message_key: impl Fn(&str) -> &'static str,
) -> FormErrors {
    errors.fields = errors
        .fields
        .into_keys()
        .map(|field| {
            let field = rename(&field);
            let key = message_key(&field);
            (field, page.t(key).to_owned())
        })
        .collect();
    if let Some(general) = &errors.general
        && general != "admin.stale"
    {
        errors.general = Some("municipal.admin.error_name_taken".into());
    }
    errors
}

/// An operation's outcome with its errors in the reader's language (see [`translated`]).
fn localized<T>(
    page: &Page,
    result: Result<T, AppError>,
    rename: impl Fn(&str) -> String,
    message_key: impl Fn(&str) -> &'static str,
) -> Outcome<T> {
    match Outcome::from(result) {
        Outcome::Invalid(errors) => Outcome::Invalid(translated(page, errors, rename, message_key)),
        other => other,
    }
}

/// One error for one field, in the reader's language.
fn field_error(page: &Page, field: &str, key: &str) -> FormErrors {
    let mut errors = FormErrors::default();
    errors
        .fields
        .insert(field.to_owned(), page.t(key).to_owned());
    errors
}

/// `?saved=section` after a form: the page says "Saved" next to that section.
#[derive(Debug, Default, serde::Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

/// Back to the page after a successful form, at the section saved (post/redirect/get).
fn saved_at(path: &str, section: &str) -> Response {
    axum::response::Redirect::to(&format!("{path}?saved={section}#{section}")).into_response()
}

struct SiteLinks {
    id: i64,
    name: String,
    departments: usize,
}

#[derive(Template)]
#[template(path = "admin/municipal_home.html")]
struct IndexTemplate {
    page: Page,
    sites: Vec<SiteLinks>,
    can_edit: bool,
}

async fn index(State(state): State<AppState>, console: Console<KitchenReaders>) -> Response {
    let Some(tenant) = console.caller.tenant_id else {
        return failed(console.page, AppError::NotFound);
    };
    let listed = async {
        let mut pooled = state.db.get().await?;
        let conn = &mut pooled.conn();
        let (sites, _) = sites::list(conn, tenant, 0, 1000).await?;
        let mut links = Vec::new();
        for site in sites {
            let departments = crate::departments::list(conn, site.id).await?.len();
            links.push(SiteLinks {
                id: site.id,
                name: site.name,
                departments,
            });
        }
        Ok::<_, AppError>(links)
    }
    .await;
    match listed {
        Ok(sites) => render(
            StatusCode::OK,
            &IndexTemplate {
                can_edit: can_edit(&console.caller),
                page: console.page,
                sites,
            },
        ),
        Err(error) => failed(console.page, error),
    }
}
