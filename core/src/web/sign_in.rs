//! The HTML sign-in and sign-out forms. They share [`crate::auth::api::sign_in`] with the
//! JSON API, so lockouts and audit rows cannot differ between the two paths.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::{Page, render};
use crate::auth::Caller;
use crate::auth::api::{refuse_cross_site, session_cookie, sign_in, sign_out};
use crate::auth::layer::cookie_value;
use crate::auth::session::COOKIE;
use crate::http::AppError;
use crate::http::client_ip::ClientIp;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTemplate {
    page: Page,
    /// Where to go after signing in (a local path), kept through failed attempts.
    next: Option<String>,
    email: String,
    error: Option<&'static str>,
    /// `?unsaved=1`: a form was posted after the session ended; the page says it was not saved.
    unsaved: bool,
}

/// Where a sign-in without `next` goes: `/start` sends each person on to their job.
const START: &str = "/start";

#[derive(Debug, Deserialize)]
struct Next {
    next: Option<String>,
    unsaved: Option<String>,
}

/// Only a path on this site: never `//host` or a full URL, so the sign-in page cannot be used
/// to send people elsewhere.
fn local_path(next: Option<String>) -> Option<String> {
    next.filter(|path| {
        path.starts_with('/')
            && !path.starts_with("//")
            && !path.contains('\\')
            && path.len() <= 512
    })
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(show).post(submit))
        .route("/logout", axum::routing::post(logout))
}

async fn show(page: Page, Query(query): Query<Next>) -> Response {
    render(
        StatusCode::OK,
        &LoginTemplate {
            page,
            unsaved: query.unsaved.is_some(),
            next: local_path(query.next),
            email: String::new(),
            error: None,
        },
    )
}

async fn submit(
    State(state): State<AppState>,
    client: ClientIp,
    page: Page,
    Query(query): Query<Next>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = local_path(query.next);
    let refuse = |page, email: String, key: &'static str, status| {
        render(
            status,
            &LoginTemplate {
                page,
                next: next.clone(),
                email,
                error: Some(key),
                unsaved: false,
            },
        )
    };
    if refuse_cross_site(&headers, &uri).is_err() {
        return refuse(
            page,
            String::new(),
            "auth.cross_site",
            StatusCode::FORBIDDEN,
        );
    }
    if form.email.trim().is_empty() || form.password.is_empty() {
        return refuse(
            page,
            form.email,
            "auth.missing_fields",
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match sign_in(
        &state,
        client,
        &form.email,
        &form.password,
        cookie_value(&headers, COOKIE),
    )
    .await
    {
        Ok(signed_in) => {
            let mut response = Redirect::to(next.as_deref().unwrap_or(START)).into_response();
            *response.status_mut() = StatusCode::SEE_OTHER;
            response.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(&state, &signed_in.cookie),
            );
            response
        }
        Err(AppError::TooManyRequests { retry_after_secs }) => {
            let mut response = refuse(
                page,
                form.email,
                "auth.locked",
                StatusCode::TOO_MANY_REQUESTS,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after_secs.into());
            response
        }
        Err(AppError::Unauthenticated(_)) => refuse(
            page,
            form.email,
            "auth.wrong_credentials",
            StatusCode::UNAUTHORIZED,
        ),
        Err(other) => other.into_response(),
    }
}

async fn logout(
    State(state): State<AppState>,
    caller: Option<Caller>,
) -> Result<Response, AppError> {
    if let Some(caller) = caller {
        sign_out(&state, &caller).await?;
    }
    let mut response = Redirect::to("/login").into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, ""));
    Ok(response)
}
