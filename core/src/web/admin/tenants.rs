//! `/admin/tenants`: the platform's customers, for superusers. Create one with its first
//! admin, rename it, delete it, or act inside it for a while (impersonation). The banner's
//! stop button posts to `/admin/impersonation/stop`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Console, ConsoleUsers, FormErrors, Outcome, Saved, saved};
use crate::auth::Role;
use crate::auth::impersonation::{
    DEFAULT_MINUTES, StartImpersonation, start_impersonation, stop_impersonation,
};
use crate::http::AppError;
use crate::people::api::Superusers;
use crate::people::api::tenants::{
    FirstAdmin, NewTenant, TenantChange, create_tenant, delete_tenant, rename_tenant, tenant_etag,
};
use crate::people::sites::{self, Site};
use crate::people::tenants::{self, KINDS, Tenant};
use crate::state::AppState;
use crate::web::{Page, error_page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/tenants", get(list).post(create))
        .route("/admin/tenants/{id}", get(show).post(rename))
        .route("/admin/tenants/{id}/delete", post(delete))
        .route("/admin/tenants/{id}/impersonate", post(impersonate))
        .route("/admin/impersonation/stop", post(stop))
}

/// The new-tenant form. The password is never sent back to the browser.
#[derive(Debug, Default, Deserialize)]
pub struct NewTenantForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    admin_email: String,
    #[serde(default)]
    admin_password: String,
}

/// The forms of one tenant's page: rename, act inside, delete.
#[derive(Debug, Default, Deserialize)]
pub struct TenantForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    etag: Option<String>,
    #[serde(default)]
    confirm: Option<String>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    minutes: String,
}

/// A tenant in the list.
struct TenantRow {
    id: i64,
    name: String,
    kind: String,
    created: String,
}

/// A kind to choose, with its name in words.
struct KindOption {
    value: &'static str,
    label: String,
}

#[derive(Template)]
#[template(path = "admin/tenants.html")]
struct ListTemplate {
    page: Page,
    tenants: Vec<TenantRow>,
    kinds: Vec<KindOption>,
    saved: bool,
    form: NewTenantForm,
    errors: FormErrors,
    csrf: String,
}

#[derive(Template)]
#[template(path = "admin/tenant.html")]
struct TenantTemplate {
    page: Page,
    id: i64,
    heading: String,
    kind: String,
    sites: Vec<Site>,
    csrf: String,
    etag: String,
    /// The rename form: what is stored or what was typed.
    name: String,
    rename_errors: FormErrors,
    /// The act-inside form.
    reason: String,
    minutes: String,
    act_errors: FormErrors,
    delete_errors: FormErrors,
}

fn status_for(errors: &[&FormErrors]) -> StatusCode {
    if errors.iter().all(|e| e.is_empty()) {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

fn kind_label(page: &Page, kind: &str) -> String {
    let key = format!("admin_tenants.kind_{kind}");
    let text = page.t(&key);
    if text == key {
        kind.to_owned()
    } else {
        text.to_owned()
    }
}

/// The operation's field errors under this page's field names, in the reader's words.
fn in_words(page: &Page, errors: FormErrors) -> FormErrors {
    let fields = errors
        .fields
        .into_iter()
        .map(|(field, reason)| {
            let field = field.replace('.', "_");
            let key = format!("admin_tenants.error_{field}");
            let text = page.t(&key);
            let text = if text == key { reason } else { text.to_owned() };
            (field, text)
        })
        .collect();
    FormErrors {
        fields,
        general: errors.general,
    }
}

async fn list_page(
    state: &AppState,
    console: Console<Superusers>,
    form: NewTenantForm,
    errors: FormErrors,
    saved: bool,
) -> Response {
    let listed = match state.db.get().await {
        Ok(mut pooled) => tenants::list(&mut pooled.conn(), 0, 1000)
            .await
            .map(|(t, _)| t),
        Err(error) => Err(error),
    };
    let listed = match listed {
        Ok(listed) => listed,
        Err(error) => return AppError::from(error).into_response(),
    };
    let page = &console.page;
    let tenants = listed
        .into_iter()
        .map(|t| TenantRow {
            id: t.id,
            kind: kind_label(page, &t.kind),
            name: t.name,
            created: t.created_at.format("%Y-%m-%d").to_string(),
        })
        .collect();
    let kinds = KINDS
        .iter()
        .map(|kind| KindOption {
            value: kind,
            label: kind_label(page, kind),
        })
        .collect();
    let status = status_for(&[&errors]);
    let csrf = console.csrf();
    render(
        status,
        &ListTemplate {
            page: console.page,
            tenants,
            kinds,
            saved,
            form,
            errors,
            csrf,
        },
    )
}

async fn list(
    State(state): State<AppState>,
    console: Console<Superusers>,
    Query(q): Query<Saved>,
) -> Response {
    list_page(
        &state,
        console,
        NewTenantForm::default(),
        FormErrors::default(),
        q.shown(),
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    console: Console<Superusers>,
    axum::Form(form): axum::Form<NewTenantForm>,
) -> Response {
    let body = NewTenant {
        name: form.name.clone(),
        kind: form.kind.clone(),
        admin: FirstAdmin {
            email: form.admin_email.clone(),
            password: form.admin_password.clone(),
            display_name: None,
        },
    };
    match Outcome::from(create_tenant(&state, &console.caller, &body).await) {
        Outcome::Done(_) => saved("/admin/tenants"),
        Outcome::Invalid(errors) => {
            let mut errors = in_words(&console.page, errors);
            // The one conflict of creating a tenant: its admin's e-mail address is taken.
            if errors.general.take().is_some() {
                errors.fields.insert(
                    "admin_email".into(),
                    console.page.t("admin_tenants.email_taken").to_owned(),
                );
            }
            let kept = NewTenantForm {
                admin_password: String::new(),
                ..form
            };
            list_page(&state, console, kept, errors, false).await
        }
        Outcome::Failed(error) => error.into_response(),
    }
}

async fn find(state: &AppState, id: i64) -> Result<(Tenant, Vec<Site>), AppError> {
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let tenant = tenants::find(conn, id).await?.ok_or(AppError::NotFound)?;
    let (listed, _) = sites::list(conn, id, 0, 1000).await?;
    Ok((tenant, listed))
}

/// What one tenant's page shows besides the stored tenant.
#[derive(Default)]
struct Shown {
    name: Option<String>,
    rename_errors: FormErrors,
    reason: String,
    minutes: Option<String>,
    act_errors: FormErrors,
    delete_errors: FormErrors,
}

async fn tenant_page(
    state: &AppState,
    console: Console<Superusers>,
    id: i64,
    shown: Shown,
) -> Response {
    let (tenant, listed) = match find(state, id).await {
        Ok(found) => found,
        Err(error) => return error.into_response(),
    };
    let status = status_for(&[
        &shown.rename_errors,
        &shown.act_errors,
        &shown.delete_errors,
    ]);
    let csrf = console.csrf();
    let kind = kind_label(&console.page, &tenant.kind);
    render(
        status,
        &TenantTemplate {
            page: console.page,
            id: tenant.id,
            heading: tenant.name.clone(),
            kind,
            sites: listed,
            csrf,
            etag: tenant_etag(&tenant),
            name: shown.name.unwrap_or(tenant.name),
            rename_errors: shown.rename_errors,
            reason: shown.reason,
            minutes: shown.minutes.unwrap_or_else(|| DEFAULT_MINUTES.to_string()),
            act_errors: shown.act_errors,
            delete_errors: shown.delete_errors,
        },
    )
}

async fn show(
    State(state): State<AppState>,
    console: Console<Superusers>,
    Path(id): Path<i64>,
) -> Response {
    tenant_page(&state, console, id, Shown::default()).await
}

async fn rename(
    State(state): State<AppState>,
    console: Console<Superusers>,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<TenantForm>,
) -> Response {
    let change = TenantChange {
        name: Some(form.name.clone()),
    };
    let result = rename_tenant(&state, &console.caller, id, form.etag.as_deref(), &change).await;
    match Outcome::from(result) {
        Outcome::Done(_) => saved("/admin/tenants"),
        Outcome::Invalid(errors) => {
            // Someone else saved first: show what is stored now, as the message says.
            let stale = errors.general.is_some();
            let rename_errors = in_words(&console.page, errors);
            let shown = Shown {
                name: (!stale).then_some(form.name),
                rename_errors,
                ..Shown::default()
            };
            tenant_page(&state, console, id, shown).await
        }
        Outcome::Failed(error) => error.into_response(),
    }
}

async fn delete(
    State(state): State<AppState>,
    console: Console<Superusers>,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<TenantForm>,
) -> Response {
    if form.confirm.as_deref() != Some("yes") {
        let mut delete_errors = FormErrors::default();
        delete_errors.fields.insert(
            "confirm".into(),
            console.page.t("admin.confirm_required").to_owned(),
        );
        let shown = Shown {
            delete_errors,
            ..Shown::default()
        };
        return tenant_page(&state, console, id, shown).await;
    }
    match Outcome::from(delete_tenant(&state, &console.caller, id, form.etag.as_deref()).await) {
        Outcome::Done(()) => saved("/admin/tenants"),
        Outcome::Invalid(delete_errors) => {
            let shown = Shown {
                delete_errors,
                ..Shown::default()
            };
            tenant_page(&state, console, id, shown).await
        }
        Outcome::Failed(error) => error.into_response(),
    }
}

async fn impersonate(
    State(state): State<AppState>,
    console: Console<Superusers>,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<TenantForm>,
) -> Response {
    let minutes = match form.minutes.trim() {
        "" => Ok(None),
        text => text.parse::<i64>().map(Some),
    };
    let result = match minutes {
        Ok(minutes) => {
            let body = StartImpersonation {
                tenant_id: id,
                reason: form.reason.clone(),
                minutes,
            };
            start_impersonation(&state, &console.caller, &body).await
        }
        Err(_) => Err(AppError::validation("minutes", "must be a whole number")),
    };
    match Outcome::from(result) {
        Outcome::Done(_) => Redirect::to("/admin").into_response(),
        Outcome::Invalid(errors) => {
            let act_errors = in_words(&console.page, errors);
            let shown = Shown {
                reason: form.reason,
                minutes: Some(form.minutes),
                act_errors,
                ..Shown::default()
            };
            tenant_page(&state, console, id, shown).await
        }
        Outcome::Failed(error) => error.into_response(),
    }
}

/// The banner's stop button: back to being a superuser, and to the tenant list.
async fn stop(State(state): State<AppState>, console: Console<ConsoleUsers>) -> Response {
    match Outcome::from(stop_impersonation(&state, &console.caller).await) {
        Outcome::Done(()) => Redirect::to("/admin/tenants").into_response(),
        // Stopped already (a second click, or it ran out meanwhile): the same place.
        Outcome::Invalid(_) if console.caller.role == Role::Superuser => {
            Redirect::to("/admin/tenants").into_response()
        }
        Outcome::Invalid(_) => error_page(console.page, StatusCode::CONFLICT),
        Outcome::Failed(error) => error.into_response(),
    }
}
