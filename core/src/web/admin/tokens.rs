//! `/admin/tokens`: the API tokens of the admin's tenant. A new token's secret is shown once,
//! on the page that answers the form (never behind a redirect, never cached); revoking asks
//! once and is final.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;

use super::users::{Choice, role_choices, role_key};
use super::{Console, FormErrors, Outcome, Saved, saved};
use crate::auth::Role;
use crate::http::AppError;
use crate::people::api::Admins;
use crate::people::api::tokens::{GRANTABLE, NewTokenIn, create_token, revoke_token};
use crate::people::api_tokens::{self, ApiToken};
use crate::state::AppState;
use crate::web::{Page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/tokens", get(list).post(create))
        .route("/admin/tokens/{id}", get(show))
        .route("/admin/tokens/{id}/revoke", post(revoke))
}

/// The most tokens one page lists.
const LIMIT: i64 = 1000;

/// The create form, as typed; also what the revoke form sends.
#[derive(Debug, Default, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    /// A date, `YYYY-MM-DD`; empty: never expires.
    #[serde(default)]
    expires_on: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// A token as the pages show it, times in words.
struct Shown {
    id: i64,
    name: String,
    role: String,
    prefix: String,
    created: Stamp,
    expires: Option<Stamp>,
    last_used: Option<Stamp>,
    state: TokenState,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TokenState {
    Active,
    Expired,
    Revoked,
}

impl TokenState {
    fn badge(self) -> &'static str {
        match self {
            TokenState::Active => "success",
            TokenState::Expired => "warning",
            TokenState::Revoked => "danger",
        }
    }

    fn key(self) -> &'static str {
        match self {
            TokenState::Active => "admin_tokens.active",
            TokenState::Expired => "admin_tokens.expired",
            TokenState::Revoked => "admin_tokens.revoked",
        }
    }
}

/// A stored time (UTC): for `<time datetime>`, and in words that stay on one line in a
/// narrow table column (non-breaking hyphens and space).
struct Stamp {
    iso: String,
    text: String,
}

fn when(at: NaiveDateTime) -> Stamp {
    Stamp {
        iso: at.format("%Y-%m-%dT%H:%MZ").to_string(),
        text: at.format("%Y\u{2011}%m\u{2011}%d\u{a0}%H:%M").to_string(),
    }
}

fn shown(page: &Page, token: ApiToken) -> Shown {
    let now = crate::db::now();
    let state = if token.revoked_at.is_some() {
        TokenState::Revoked
    } else if token.expires_at.is_some_and(|at| at <= now) {
        TokenState::Expired
    } else {
        TokenState::Active
    };
    Shown {
        id: token.id,
        role: page.t(role_key(&token.role)).to_owned(),
        prefix: token.token_prefix,
        created: when(token.created_at),
        expires: token.expires_at.map(when),
        last_used: token.last_used_at.map(when),
        state,
        name: token.name,
    }
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
struct ListTemplate {
    page: Page,
    tokens: Vec<Shown>,
    truncated: bool,
    saved: bool,
    form: TokenForm,
    errors: FormErrors,
    roles: Vec<Choice>,
    /// The date picker's bounds: today and two years ahead.
    earliest: String,
    latest: String,
    csrf: String,
    /// A superuser inside the tenant may not make tokens: the form gives way to a notice.
    impersonating: bool,
}

#[derive(Template)]
#[template(path = "admin/token_created.html")]
struct CreatedTemplate {
    page: Page,
    secret: String,
    token: Shown,
}

#[derive(Template)]
#[template(path = "admin/token.html")]
struct TokenTemplate {
    page: Page,
    token: Shown,
    errors: FormErrors,
    csrf: String,
}

fn tenant(console: &Console<Admins>) -> Result<i64, AppError> {
    console.caller.tenant_id.ok_or(AppError::NotFound)
}

async fn list_page(
    state: &AppState,
    console: Console<Admins>,
    form: TokenForm,
    errors: FormErrors,
    saved: bool,
) -> Response {
    let listed = match tenant(&console) {
        Ok(tenant) => match state.db.get().await {
            Ok(mut pooled) => api_tokens::list(&mut pooled.conn(), tenant, 0, LIMIT)
                .await
                .map_err(AppError::from),
            Err(error) => Err(AppError::from(error)),
        },
        Err(error) => Err(error),
    };
    let (rows, total) = match listed {
        Ok(listed) => listed,
        Err(error) => return error.into_response(),
    };
    let truncated = total > rows.len() as i64;
    let tokens = rows
        .into_iter()
        .map(|row| shown(&console.page, row))
        .collect();
    let status = errors.status();
    let today = Utc::now().date_naive();
    let latest = today
        .checked_add_months(Months::new(24))
        .map(|d| d.to_string())
        .unwrap_or_default();
    let csrf = console.csrf();
    let roles = role_choices(&console.page);
    let impersonating = console.caller.impersonator_id.is_some();
    render(
        status,
        &ListTemplate {
            page: console.page,
            tokens,
            truncated,
            saved,
            form,
            errors,
            roles,
            earliest: today.to_string(),
            latest,
            csrf,
            impersonating,
        },
    )
}

async fn list(
    State(state): State<AppState>,
    console: Console<Admins>,
    Query(q): Query<Saved>,
) -> Response {
    let form = TokenForm {
        role: Role::Viewer.as_str().to_owned(),
        ..TokenForm::default()
    };
    list_page(&state, console, form, FormErrors::default(), q.shown()).await
}

/// The end of the chosen day, in UTC, as the API takes it; `Err` for text that is no date.
fn expiry(text: &str) -> Result<Option<String>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| ())?;
    let end = date.and_hms_opt(23, 59, 59).ok_or(())?;
    Ok(Some(
        DateTime::<Utc>::from_naive_utc_and_offset(end, Utc).to_rfc3339(),
    ))
}

/// The operation's reasons, in the reader's words.
fn in_words(page: &Page, mut errors: FormErrors) -> FormErrors {
    let fields = std::mem::take(&mut errors.fields);
    for (field, reason) in fields {
        let (field, text) = match field.as_str() {
            "name" => (field, page.t("admin_tokens.error_name").to_owned()),
            "role" => (field, page.t("admin_tokens.error_role").to_owned()),
            "expires_at" => (
                "expires_on".to_owned(),
                page.t("admin_tokens.error_expiry").to_owned(),
            ),
            _ => (field, reason),
        };
        errors.fields.insert(field, text);
    }
    errors
}

fn one_error(page: &Page, field: &str, key: &str) -> FormErrors {
    let mut errors = FormErrors::default();
    errors
        .fields
        .insert(field.to_owned(), page.t(key).to_owned());
    errors
}

async fn create(
    State(state): State<AppState>,
    console: Console<Admins>,
    axum::Form(form): axum::Form<TokenForm>,
) -> Response {
    let Some(role) = Role::parse(&form.role).filter(|r| GRANTABLE.contains(r)) else {
        let errors = one_error(&console.page, "role", "admin_tokens.error_role");
        return list_page(&state, console, form, errors, false).await;
    };
    let Ok(expires_at) = expiry(&form.expires_on) else {
        let errors = one_error(&console.page, "expires_on", "admin_tokens.error_expiry");
        return list_page(&state, console, form, errors, false).await;
    };
    let body = NewTokenIn {
        name: form.name.clone(),
        role,
        expires_at,
    };
    match Outcome::from(create_token(&state, &console.caller, &body).await) {
        Outcome::Done((secret, row)) => {
            let token = shown(&console.page, row);
            let mut response = render(
                StatusCode::CREATED,
                &CreatedTemplate {
                    page: console.page,
                    secret,
                    token,
                },
            );
            // Shown once: no cache on the way may keep it.
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Outcome::Invalid(errors) => {
            let errors = in_words(&console.page, errors);
            list_page(&state, console, form, errors, false).await
        }
        Outcome::Failed(AppError::ImpersonatedToken) => {
            let errors = FormErrors {
                general: Some("admin_tokens.impersonating".into()),
                ..FormErrors::default()
            };
            let mut response = list_page(&state, console, form, errors, false).await;
            *response.status_mut() = StatusCode::FORBIDDEN;
            response
        }
        Outcome::Failed(error) => error.into_response(),
    }
}

async fn find(state: &AppState, console: &Console<Admins>, id: i64) -> Result<ApiToken, AppError> {
    let tenant = tenant(console)?;
    let mut pooled = state.db.get().await?;
    api_tokens::find(&mut pooled.conn(), tenant, id)
        .await?
        .ok_or(AppError::NotFound)
}

fn token_page(console: Console<Admins>, token: ApiToken, errors: FormErrors) -> Response {
    let status = errors.status();
    let csrf = console.csrf();
    let token = shown(&console.page, token);
    render(
        status,
        &TokenTemplate {
            page: console.page,
            token,
            errors,
            csrf,
        },
    )
}

async fn show(
    State(state): State<AppState>,
    console: Console<Admins>,
    Path(id): Path<i64>,
) -> Response {
    match find(&state, &console, id).await {
        Ok(token) => token_page(console, token, FormErrors::default()),
        Err(error) => error.into_response(),
    }
}

async fn revoke(
    State(state): State<AppState>,
    console: Console<Admins>,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<TokenForm>,
) -> Response {
    if form.confirm.as_deref() != Some("yes") {
        return match find(&state, &console, id).await {
            Ok(token) => {
                let errors = one_error(&console.page, "confirm", "admin.confirm_required");
                token_page(console, token, errors)
            }
            Err(error) => error.into_response(),
        };
    }
    match Outcome::from(revoke_token(&state, &console.caller, id).await) {
        Outcome::Done(()) => saved("/admin/tokens"),
        Outcome::Invalid(_) => match find(&state, &console, id).await {
            // The only refusal left: someone revoked it first.
            Ok(token) => {
                let errors = FormErrors {
                    general: Some("admin_tokens.already_revoked".into()),
                    ..FormErrors::default()
                };
                token_page(console, token, errors)
            }
            Err(error) => error.into_response(),
        },
        Outcome::Failed(error) => error.into_response(),
    }
}
