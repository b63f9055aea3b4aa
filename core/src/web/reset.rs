//! `/reset/{token}`: the page behind an admin-issued password-reset link. It needs no session:
//! the secret in the URL is the authority (stored only as a keyed hash, single-use, 24 hours).
//! A good new password ends every session of the person and sends them to sign in.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;

use super::{Page, render};
use crate::audit::{self, Actor, Entry};
use crate::auth::{password, session, token};
use crate::http::AppError;
use crate::people::{password_resets, users};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetTemplate {
    page: Page,
    /// The link's secret, for the form's action; empty on the "expired or used" page.
    token: String,
    valid: bool,
    password_error: Option<&'static str>,
    confirm_error: Option<&'static str>,
}

/// What was typed; neither field is ever put back into the page.
#[derive(Debug, Deserialize)]
struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

pub fn router() -> Router<AppState> {
    Router::new().route("/reset/{token}", get(show).post(submit))
}

/// A page that holds (or acts on) a secret: never kept in a cache.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn form(
    page: Page,
    token: String,
    password_error: Option<&'static str>,
    confirm_error: Option<&'static str>,
) -> Response {
    let status = if password_error.is_some() || confirm_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    no_store(render(
        status,
        &ResetTemplate {
            page,
            token,
            valid: true,
            password_error,
            confirm_error,
        },
    ))
}

/// Unknown, expired, used, or the account is disabled or deleted: one page, saying no more.
fn gone(page: Page) -> Response {
    no_store(render(
        StatusCode::NOT_FOUND,
        &ResetTemplate {
            page,
            token: String::new(),
            valid: false,
            password_error: None,
            confirm_error: None,
        },
    ))
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(secret): Path<String>,
) -> Result<Response, AppError> {
    let hash = token::hash(&state.settings.secret_key, &secret);
    let mut pooled = state.db.get().await?;
    Ok(
        match password_resets::find_usable(&mut pooled.conn(), &hash).await? {
            Some(_) => form(page, secret, None, None),
            None => gone(page),
        },
    )
}

async fn submit(
    State(state): State<AppState>,
    page: Page,
    Path(secret): Path<String>,
    Form(typed): Form<ResetForm>,
) -> Result<Response, AppError> {
    let hash = token::hash(&state.settings.secret_key, &secret);
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let Some(user) = password_resets::find_usable(conn, &hash).await? else {
        return Ok(gone(page));
    };
    let password_error = if typed.password.is_empty() {
        Some("reset.missing")
    } else if password::check_policy(&typed.password, &user.email).is_err() {
        Some("reset.weak_password")
    } else {
        None
    };
    let confirm_error = (typed.password_confirm != typed.password).then_some("reset.mismatch");
    if password_error.is_some() || confirm_error.is_some() {
        return Ok(form(page, secret, password_error, confirm_error));
    }
    let new_hash = password::hash(typed.password)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let done = crate::transaction!(conn, |tx| {
        // Used or expired since it was read above (a double submit): change nothing.
        if !password_resets::consume(tx, &hash).await? {
            return Ok::<_, AppError>(false);
        }
        users::set_password(tx, user.id, &new_hash).await?;
        let ended = session::revoke_all_for_user(tx, user.id, None).await?;
        password_resets::void_open(tx, user.id).await?;
        let actor = Actor {
            user_id: Some(user.id),
            ..Actor::default()
        };
        audit::record(
            tx,
            Entry::new("auth.password_reset", actor, user.tenant_id)
                .target("user", user.id)
                .details(json!({ "sessions_ended": ended })),
        )
        .await?;
        Ok(true)
    })?;
    if !done {
        return Ok(gone(page));
    }
    let mut response = Redirect::to("/login").into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    Ok(no_store(response))
}
