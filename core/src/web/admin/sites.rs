//! `/admin/sites`: the kitchens of the admin's tenant.

use crate::web::lang::Lang;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Console, FormErrors, Outcome, Saved, saved};
use crate::http::AppError;
use crate::people::api::Admins;
use crate::people::api::sites::{
    NewSite, SiteChange, create_site, delete_site, site_etag, update_site,
};
use crate::people::sites::{self, Site};
use crate::state::AppState;
use crate::web::{Page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/sites", get(list).post(create))
        .route("/admin/sites/{id}", get(show).post(update))
        .route("/admin/sites/{id}/delete", post(delete))
}

/// What the site form shows: what was stored, or what was typed.
#[derive(Debug, Default, Deserialize)]
pub struct SiteForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    timezone: String,
    /// `sv`, `nb`, `en`, or empty for none.
    #[serde(default)]
    language: String,
    #[serde(default)]
    etag: Option<String>,
    #[serde(default)]
    confirm: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/sites.html")]
struct ListTemplate {
    page: Page,
    sites: Vec<Site>,
    saved: bool,
    form: SiteForm,
    errors: FormErrors,
    csrf: String,
    action: &'static str,
    etag: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/site.html")]
struct SiteTemplate {
    page: Page,
    id: i64,
    heading: String,
    form: SiteForm,
    errors: FormErrors,
    csrf: String,
    action: String,
    etag: Option<String>,
}

/// The operations explain in English; the page says it in the reader's language.
fn translated(page: &Page, mut errors: FormErrors) -> FormErrors {
    for (field, reason) in errors.fields.iter_mut() {
        let key = match field.as_str() {
            "name" => "admin.name_invalid",
            "timezone" => "admin.timezone_invalid",
            _ => continue,
        };
        *reason = page.t(key).to_owned();
    }
    errors
}

fn is_stale(errors: &FormErrors) -> bool {
    errors.general.as_deref() == Some("admin.stale")
}

async fn list_page(
    state: &AppState,
    console: Console<Admins>,
    form: SiteForm,
    errors: FormErrors,
    saved: bool,
) -> Response {
    let Some(tenant) = console.caller.tenant_id else {
        return AppError::NotFound.into_response();
    };
    let listed = match state.db.get().await {
        Ok(mut pooled) => sites::list(&mut pooled.conn(), tenant, 0, 1000)
            .await
            .map(|(s, _)| s),
        Err(error) => Err(error),
    };
    let sites = match listed {
        Ok(sites) => sites,
        Err(error) => return AppError::from(error).into_response(),
    };
    let status = errors.status();
    let csrf = console.csrf();
    render(
        status,
        &ListTemplate {
            page: console.page,
            sites,
            saved,
            form,
            errors,
            csrf,
            action: "/admin/sites",
            etag: None,
        },
    )
}

async fn list(
    State(state): State<AppState>,
    console: Console<Admins>,
    Query(q): Query<Saved>,
) -> Response {
    let form = SiteForm {
        timezone: "Europe/Stockholm".into(),
        ..SiteForm::default()
    };
    list_page(&state, console, form, FormErrors::default(), q.shown()).await
}

async fn create(
    State(state): State<AppState>,
    console: Console<Admins>,
    axum::Form(form): axum::Form<SiteForm>,
) -> Response {
    let body = NewSite {
        name: form.name.clone(),
        timezone: form.timezone.clone(),
        language: Lang::stored(&form.language),
    };
    match Outcome::from(create_site(&state, &console.caller, &body).await) {
        Outcome::Done(_) => saved("/admin/sites"),
        Outcome::Invalid(errors) => {
            let errors = translated(&console.page, errors);
            list_page(&state, console, form, errors, false).await
        }
        Outcome::Failed(error) => error.into_response(),
    }
}

async fn find(state: &AppState, console: &Console<Admins>, id: i64) -> Result<Site, AppError> {
    let tenant = console.caller.tenant_id.ok_or(AppError::NotFound)?;
    let mut pooled = state.db.get().await?;
    sites::find(&mut pooled.conn(), tenant, id)
        .await?
        .ok_or(AppError::NotFound)
}

fn site_page(
    console: Console<Admins>,
    site: &Site,
    form: SiteForm,
    errors: FormErrors,
) -> Response {
    let status = errors.status();
    let csrf = console.csrf();
    render(
        status,
        &SiteTemplate {
            page: console.page,
            id: site.id,
            heading: site.name.clone(),
            form,
            errors,
            csrf,
            action: format!("/admin/sites/{}", site.id),
            etag: Some(site_etag(site)),
        },
    )
}

async fn show(
    State(state): State<AppState>,
    console: Console<Admins>,
    Path(id): Path<i64>,
) -> Response {
    match find(&state, &console, id).await {
        Ok(site) => {
            let form = SiteForm {
                name: site.name.clone(),
                timezone: site.timezone.clone(),
                language: site.language.clone().unwrap_or_default(),
                ..SiteForm::default()
            };
            site_page(console, &site, form, FormErrors::default())
        }
        Err(error) => error.into_response(),
    }
}

async fn update(
    State(state): State<AppState>,
    console: Console<Admins>,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<SiteForm>,
) -> Response {
    let change = SiteChange {
        name: Some(form.name.clone()),
        timezone: Some(form.timezone.clone()),
        language: Some(Lang::stored(&form.language)),
    };
    let result = update_site(&state, &console.caller, id, form.etag.as_deref(), &change).await;
    match Outcome::from(result) {
        Outcome::Done(_) => saved("/admin/sites"),
        Outcome::Invalid(errors) => match find(&state, &console, id).await {
            // Someone else saved first: show what is stored now, as the message says.
            Ok(site) if is_stale(&errors) => {
                let current = SiteForm {
                    name: site.name.clone(),
                    timezone: site.timezone.clone(),
                    language: site.language.clone().unwrap_or_default(),
                    ..SiteForm::default()
                };
                site_page(console, &site, current, errors)
            }
            Ok(site) => {
                let errors = translated(&console.page, errors);
                site_page(console, &site, form, errors)
            }
            Err(error) => error.into_response(),
        },
        Outcome::Failed(error) => error.into_response(),
    }
}

async fn delete(
    State(state): State<AppState>,
    console: Console<Admins>,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<SiteForm>,
) -> Response {
    let site = match find(&state, &console, id).await {
        Ok(site) => site,
        Err(error) => return error.into_response(),
    };
    let shown = SiteForm {
        name: site.name.clone(),
        timezone: site.timezone.clone(),
        ..SiteForm::default()
    };
    if form.confirm.as_deref() != Some("yes") {
        let mut errors = FormErrors::default();
        errors.fields.insert(
            "confirm".into(),
            console.page.t("admin.confirm_required").to_owned(),
        );
        return site_page(console, &site, shown, errors);
    }
    match Outcome::from(delete_site(&state, &console.caller, id, form.etag.as_deref()).await) {
        Outcome::Done(()) => saved("/admin/sites"),
        Outcome::Invalid(errors) => site_page(console, &site, shown, errors),
        Outcome::Failed(error) => error.into_response(),
    }
}
