//! `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`, `GET /api/v1/auth/me` and
//! `POST /api/v1/auth/password`. The HTML sign-in form calls the same [`sign_in`].

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::layer::cookie_value;
use super::session::{self, COOKIE};
use super::throttle::{Refused, Reservation};
use super::{Caller, Credential, Role, password, token};
use crate::audit::{self, Actor, Entry};
use crate::http::client_ip::ClientIp;
use crate::http::problem::FieldError;
use crate::http::{ApiJson, AppError};
use crate::people::{password_resets, users};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/me", get(me))
        .route("/password", post(change_password))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// Who the caller is.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub user_id: Option<i64>,
    pub email: Option<String>,
    pub role: Role,
    pub tenant_id: Option<i64>,
    pub site_id: Option<i64>,
    /// Send this as `X-CSRF-Token` on unsafe requests of this session; absent for API tokens.
    pub csrf_token: Option<String>,
    /// The superuser's id while impersonating.
    pub impersonator_id: Option<i64>,
    /// The language pages use for this person: their own choice, else their site's; none
    /// leaves it to the browser.
    pub language: Option<crate::web::lang::Lang>,
}

impl From<&Caller> for Me {
    fn from(caller: &Caller) -> Self {
        Me {
            user_id: caller.user_id,
            email: caller.email.clone(),
            role: caller.role,
            tenant_id: caller.tenant_id,
            site_id: caller.site_id,
            csrf_token: caller.csrf_token().map(str::to_owned),
            impersonator_id: caller.impersonator_id,
            language: caller.language,
        }
    }
}

/// A new session: the cookie value (shown once) and the CSRF token.
#[derive(Debug)]
pub struct SignedIn {
    pub cookie: String,
    pub me: Me,
}

/// The one sign-in code path. Unknown accounts, wrong passwords and disabled accounts fail the
/// same way (and take the same time); every attempt is audited.
pub async fn sign_in(
    state: &AppState,
    client: ClientIp,
    email: &str,
    password_text: &str,
    previous_cookie: Option<String>,
) -> Result<SignedIn, AppError> {
    let keys = [
        format!("account:{}", users::normalise_email(email)),
        client.key(),
    ];
    // Reserved before the password is checked, so concurrent attempts cannot overrun the limit.
    let reservation = reserve(state, &keys).await?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let account = users::find_live_by_email(conn, email).await?;
    let stored_hash = account.as_ref().map(|u| u.password_hash.clone());
    let password_ok = password::verify(password_text.to_owned(), stored_hash).await;
    let role = account
        .as_ref()
        .filter(|u| password_ok && u.disabled_at.is_none())
        .and_then(|u| Role::parse(&u.role));
    let (Some(user), Some(_)) = (account.as_ref(), role) else {
        let tenant = account.as_ref().and_then(|u| u.tenant_id);
        let target = account.as_ref().map(|u| u.id);
        crate::transaction!(conn, |tx| {
            let mut entry = Entry::new("auth.sign_in_failed", Actor::default(), tenant)
                .details(json!({ "email": users::normalise_email(email) }));
            if let Some(id) = target {
                entry = entry.target("user", id);
            }
            audit::record(tx, entry).await
        })?;
        return Err(AppError::Unauthenticated(
            "The e-mail address or the password is wrong.",
        ));
    };
    state.sign_in_throttle.refund(reservation).await;

    let cookie = token::generate();
    let csrf = token::generate();
    let hash = token::hash(&state.settings.secret_key, &cookie);
    let previous = previous_cookie.map(|c| token::hash(&state.settings.secret_key, &c));
    crate::transaction!(conn, |tx| {
        // Rotation: whatever session this browser had ends here.
        if let Some(previous) = &previous {
            session::revoke(tx, previous).await?;
        }
        session::create(tx, &hash, user.id, &csrf).await?;
        let actor = Actor {
            user_id: Some(user.id),
            ..Actor::default()
        };
        audit::record(
            tx,
            Entry::new("auth.sign_in", actor, user.tenant_id).target("user", user.id),
        )
        .await
    })?;
    // The new session read back the way every request reads it, so the answer says what
    // `GET /api/v1/auth/me` will (the language included: the person's, else their site's).
    let me = session::find_live(conn, &hash)
        .await?
        .and_then(|live| super::layer::caller_from_session(live, hash))
        .map(|caller| Me::from(&caller))
        .ok_or(AppError::Unauthenticated(
            "The account cannot sign in right now.",
        ))?;
    Ok(SignedIn { cookie, me })
}

/// Refuses a sign-in that a page of another site submitted (login CSRF: signing a browser into
/// the attacker's account). Browsers send `Origin` on every POST and `Sec-Fetch-Site` where they
/// support it; a request with neither (a script, `curl`) is not a browser being tricked. Only the
/// host name is compared, since a proxy may drop the port from `Host` (nginx's `$host`).
pub fn refuse_cross_site(headers: &HeaderMap, uri: &Uri) -> Result<(), AppError> {
    let cross_site = headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"));
    if cross_site {
        return Err(AppError::CrossSiteSignIn);
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, authority)| host_name(authority));
    let own_host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()))
        .map(host_name);
    match (origin_host, own_host) {
        (Some(origin), Some(own)) if !origin.is_empty() && origin.eq_ignore_ascii_case(own) => {
            Ok(())
        }
        _ => Err(AppError::CrossSiteSignIn),
    }
}

/// `host[:port]` without the port; an IPv6 literal keeps its brackets.
fn host_name(authority: &str) -> &str {
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if authority.starts_with('[') {
        authority
            .find(']')
            .map_or(authority, |end| &authority[..=end])
    } else {
        authority.split(':').next().unwrap_or(authority)
    }
}

/// Answers that carry a session's CSRF token must not be kept by any cache on the way.
fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// Counts one password check against every key, or refuses it with 429 if any key is full.
async fn reserve(state: &AppState, keys: &[String]) -> Result<Reservation, AppError> {
    state
        .sign_in_throttle
        .reserve(keys)
        .await
        .map_err(|refused| match refused {
            Refused::Full(wait) => AppError::TooManyRequests {
                // Round up: answering a second early would only earn another 429.
                retry_after_secs: (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1),
            },
            Refused::Unavailable(error) => AppError::Db(error),
        })
}

/// The `Set-Cookie` value for a session (an empty value with `Max-Age=0` ends it).
pub fn session_cookie(state: &AppState, value: &str) -> HeaderValue {
    let max_age = if value.is_empty() {
        0
    } else {
        session::ABSOLUTE.num_seconds()
    };
    let secure = if state.settings.env.is_local() {
        ""
    } else {
        "; Secure"
    };
    let text =
        format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&text)
        .unwrap_or_else(|_| HeaderValue::from_static("galley_session=; Max-Age=0"))
}

/// Sign in: sets the session cookie and returns who you are with your CSRF token.
/// Refused (403 `/problems/cross-site-sign-in`) when a page of another site sent it.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Me, headers(("Cache-Control" = String, description = "no-store"))),
        (status = 401),
        (status = 403, description = "Sent by a page of another site (`/problems/cross-site-sign-in`)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 429)))]
async fn login(
    State(state): State<AppState>,
    client: ClientIp,
    uri: Uri,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, AppError> {
    refuse_cross_site(&headers, &uri)?;
    let signed_in = sign_in(
        &state,
        client,
        &body.email,
        &body.password,
        cookie_value(&headers, COOKIE),
    )
    .await?;
    let mut response = Json(signed_in.me).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&state, &signed_in.cookie),
    );
    no_store(&mut response);
    Ok(response)
}

/// Ends the caller's session on the server and clears the cookie.
pub async fn sign_out(state: &AppState, caller: &Caller) -> Result<(), AppError> {
    let Credential::Session { token_hash, .. } = &caller.credential else {
        return Err(AppError::Forbidden(
            "API tokens cannot sign out; revoke the token instead".into(),
        ));
    };
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    crate::transaction!(conn, |tx| {
        session::revoke(tx, token_hash).await?;
        let mut entry = Entry::new("auth.sign_out", caller.actor(), caller.tenant_id);
        if let Some(id) = caller.user_id {
            entry = entry.target("user", id);
        }
        audit::record(tx, entry).await
    })?;
    Ok(())
}

/// Sign out: ends the session on the server and clears the cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401), (status = 403)))]
async fn logout(State(state): State<AppState>, caller: Caller) -> Result<Response, AppError> {
    sign_out(&state, &caller).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, ""));
    Ok(response)
}

/// Who you are, your role, tenant and site, and your CSRF token.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = Me, headers(("Cache-Control" = String, description = "no-store"))),
        (status = 401)))]
async fn me(caller: Caller) -> Response {
    let mut response = Json(Me::from(&caller)).into_response();
    no_store(&mut response);
    response
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 12 characters, not a common password, not containing your e-mail address,
    /// not one character repeated.
    #[schema(min_length = 12, max_length = 256)]
    pub new_password: String,
}

/// Change your own password. A wrong current password counts against the sign-in limit like a
/// failed sign-in. Every other session of yours ends; this one stays. API tokens get 403.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 401), (status = 403), (status = 422), (status = 429)))]
pub async fn change_password(
    State(state): State<AppState>,
    client: ClientIp,
    caller: Caller,
    // Taken as a `Result` so that an API token is refused before its body is judged.
    body: Result<ApiJson<PasswordChange>, AppError>,
) -> Result<StatusCode, AppError> {
    let (Credential::Session { token_hash, .. }, Some(user_id)) =
        (&caller.credential, caller.user_id)
    else {
        return Err(AppError::Forbidden(
            "API tokens have no password; only a signed-in person can change theirs".into(),
        ));
    };
    let ApiJson(body) = body?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let user = users::find_live(conn, user_id)
        .await?
        .filter(|u| u.disabled_at.is_none())
        .ok_or(AppError::Unauthenticated("Sign in first."))?;
    let keys = [format!("account:{}", user.email), client.key()];
    let reservation = reserve(&state, &keys).await?;
    let mut errors = Vec::new();
    let current_ok = password::verify(
        body.current_password.clone(),
        Some(user.password_hash.clone()),
    )
    .await;
    if current_ok {
        state.sign_in_throttle.refund(reservation).await;
    } else {
        crate::transaction!(conn, |tx| {
            audit::record(
                tx,
                Entry::new(
                    "auth.password_change_failed",
                    caller.actor(),
                    user.tenant_id,
                )
                .target("user", user.id),
            )
            .await
        })?;
        errors.push(FieldError {
            field: "current_password".into(),
            reason: "is not your current password".into(),
        });
    }
    if let Err(reason) = password::check_policy(&body.new_password, &user.email) {
        errors.push(FieldError {
            field: "new_password".into(),
            reason,
        });
    } else if current_ok && body.new_password == body.current_password {
        errors.push(FieldError {
            field: "new_password".into(),
            reason: "must differ from the current password".into(),
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let hash = password::hash(body.new_password.clone())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    crate::transaction!(conn, |tx| {
        users::set_password(tx, user.id, &hash).await?;
        let ended = session::revoke_all_for_user(tx, user.id, Some(token_hash)).await?;
        password_resets::void_open(tx, user.id).await?;
        audit::record(
            tx,
            Entry::new("auth.password_changed", caller.actor(), user.tenant_id)
                .target("user", user.id)
                .details(json!({ "other_sessions_ended": ended })),
        )
        .await
    })?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        login, logout, me, change_password,
        super::impersonation::start, super::impersonation::stop,
    ),
    tags((name = "auth", description = "Signing in and out, your own password, and superuser impersonation"))
)]
pub struct AuthApi;
