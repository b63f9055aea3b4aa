//! Resolves credentials once per request and checks CSRF on cookie sessions.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::session::{self, COOKIE};
use super::{Caller, Credential, Role, token};
use crate::http::AppError;
use crate::state::AppState;

pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "csrf_token";

pub async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let caller = match identify(&state, request.headers()).await {
        Ok(caller) => caller,
        Err(error) => return error.into_response(),
    };
    let Some(caller) = caller else {
        return next.run(request).await;
    };
    let mut request = match admit(request, &caller).await {
        Ok(request) => request,
        Err(error) => return with_person(error.into_response(), caller),
    };
    request.extensions_mut().insert(caller.clone());
    let response = next.run(request).await;
    if response.status().is_client_error() || response.status().is_server_error() {
        with_person(response, caller)
    } else {
        response
    }
}

/// An error answer carries who was signed in, so the error page outside this layer can say
/// who lacks access and show that person's navigation.
fn with_person(mut response: Response, caller: Caller) -> Response {
    response.extensions_mut().insert(caller);
    response
}

async fn identify(state: &AppState, headers: &HeaderMap) -> Result<Option<Caller>, AppError> {
    let caller = if let Some(bearer) = bearer_token(headers) {
        // A bearer token that does not resolve is an error, never a silent fall-back to
        // anonymous: an integration should learn at once that its token stopped working.
        Some(
            crate::people::api_tokens::resolve(state, &bearer)
                .await?
                .ok_or(AppError::Unauthenticated(
                    "The API token is unknown, expired or revoked.",
                ))?,
        )
    } else if let Some(cookie) = cookie_value(headers, COOKIE) {
        let hash = token::hash(&state.settings.secret_key, &cookie);
        let mut pooled = state.db.get().await?;
        let conn = &mut pooled.conn();
        match session::find_live(conn, &hash).await? {
            Some(live) => {
                if let (Some(tenant), Some(until)) =
                    (live.acting_tenant_id, live.impersonation_expires_at)
                    && until <= crate::db::now()
                {
                    super::impersonation::expire(conn, &hash, live.user_id, tenant).await?;
                }
                caller_from_session(live, hash)
            }
            None => None,
        }
    } else {
        None
    };
    Ok(caller)
}

/// Checks the CSRF token of a cookie session's unsafe request.
async fn admit(mut request: Request, caller: &Caller) -> Result<Request, AppError> {
    if let Some(expected) = caller.csrf_token()
        && !is_safe(request.method())
        && !is_sign_in(request.uri().path())
    {
        let (checked, ok) = csrf_matches(request, expected).await?;
        if !ok {
            return Err(AppError::CsrfFailed);
        }
        request = checked;
    }
    if let Some(superuser) = caller.impersonator_id {
        // Every line this request logs says who is really acting.
        tracing::Span::current().record("impersonator_id", superuser);
        tracing::info!(impersonator_id = superuser, tenant_id = ?caller.tenant_id, "request made while impersonating");
    }
    Ok(request)
}

pub(super) fn caller_from_session(
    live: session::LiveSession,
    token_hash: String,
) -> Option<Caller> {
    let role = Role::parse(&live.role)?;
    let language = live
        .language
        .as_deref()
        .or(live.site_language.as_deref())
        .and_then(crate::web::lang::Lang::stored);
    let now = crate::db::now();
    let impersonating = role == Role::Superuser
        && live.acting_tenant_id.is_some()
        && live
            .impersonation_expires_at
            .is_some_and(|until| until > now);
    Some(if impersonating {
        // Inside a tenant a superuser acts with that tenant's admin rights, marked as such.
        Caller {
            user_id: Some(live.user_id),
            email: Some(live.email),
            role: Role::Admin,
            tenant_id: live.acting_tenant_id,
            site_id: None,
            credential: Credential::Session {
                token_hash,
                csrf_token: live.csrf_token,
            },
            impersonator_id: Some(live.user_id),
            impersonation_until: live.impersonation_expires_at,
            language,
        }
    } else {
        Caller {
            user_id: Some(live.user_id),
            email: Some(live.email),
            role,
            tenant_id: live.tenant_id,
            site_id: live.site_id,
            credential: Credential::Session {
                token_hash,
                csrf_token: live.csrf_token,
            },
            impersonator_id: None,
            impersonation_until: None,
            language,
        }
    })
}

/// Signing in acts with no session's authority (it replaces the session), so a stale or live
/// cookie must not block it. The same holds for a password-reset form (`/reset/{token}`): its
/// authority is the secret in its own URL, which a forging site cannot know, and it must work in
/// a browser where someone else happens to be signed in. Browsers' CSP reports (`/csp-report`)
/// change nothing but a counter.
fn is_sign_in(path: &str) -> bool {
    path == "/login"
        || path == "/api/v1/auth/login"
        || path.starts_with("/reset/")
        || path == "/csp-report"
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The token from the header, or else from an urlencoded form body (which is then put back).
async fn csrf_matches(request: Request, expected: &str) -> Result<(Request, bool), AppError> {
    if let Some(sent) = request
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        let ok = token::same(sent, expected);
        return Ok((request, ok));
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    // File uploads from pages (the menu import) are multipart forms.
    let is_multipart = content_type.starts_with("multipart/form-data");
    if !is_form && !is_multipart {
        return Ok((request, false));
    }
    let (parts, body) = request.into_parts();
    let limit = parts
        .extensions
        .get::<crate::http::json::BodyLimit>()
        .map_or(1024 * 1024, |l| l.0);
    let bytes: Bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| AppError::PayloadTooLarge { limit })?;
    let sent = if is_form {
        form_field(&bytes, CSRF_FIELD)
    } else {
        multipart_field(&content_type, bytes.clone(), CSRF_FIELD).await
    };
    let ok = sent.is_some_and(|sent| token::same(&sent, expected));
    Ok((Request::from_parts(parts, Body::from(bytes)), ok))
}

/// The first text field `name` of a buffered multipart form (pages put the token first).
async fn multipart_field(content_type: &str, body: Bytes, name: &str) -> Option<String> {
    let boundary = multer::parse_boundary(content_type).ok()?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded_pairs(body)
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

fn serde_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .filter(|v| !v.is_empty())
}
