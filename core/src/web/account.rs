//! `POST /account/language`: the language switch. A signed-in person's choice is saved on
//! their account, so it follows them to every device (the galley tablet is shared by the
//! crew); the cookie remembers it for the sign-in page of this browser too.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;
use serde_json::json;

use super::lang::{Lang, cookie};
use crate::audit::{self, Entry};
use crate::auth::Caller;
use crate::http::AppError;
use crate::people::users;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/account/language", post(choose))
}

#[derive(Debug, Deserialize)]
struct LanguageForm {
    #[serde(default)]
    lang: String,
    /// The page to go back to: a path of this site.
    #[serde(default)]
    back: String,
}

/// Only a path of this site: never `//host` or `/\host`, which browsers read as another site.
fn local_path(back: &str) -> &str {
    let local = back.starts_with('/')
        && !back.starts_with("//")
        && !back.starts_with("/\\")
        && !back.chars().any(char::is_control);
    if local { back } else { "/" }
}

async fn choose(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Form(form): Form<LanguageForm>,
) -> Response {
    let Some(lang) = Lang::stored(&form.lang) else {
        return AppError::validation("lang", "must be sv, nb or en").into_response();
    };
    if let Some(caller) = &caller
        && let Some(user_id) = caller.user_id
        && let Err(error) = save(&state, caller, user_id, lang).await
    {
        return error.into_response();
    }
    let mut response = Redirect::to(local_path(&form.back)).into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(value) = HeaderValue::from_str(&cookie(lang)) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

async fn save(state: &AppState, caller: &Caller, user_id: i64, lang: Lang) -> Result<(), AppError> {
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    crate::transaction!(conn, |tx| {
        if users::set_language(tx, user_id, lang).await? {
            audit::record(
                tx,
                Entry::new("user.language_chosen", caller.actor(), caller.tenant_id)
                    .target("user", user_id)
                    .details(json!({ "language": lang })),
            )
            .await?;
        }
        Ok::<_, AppError>(())
    })
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_paths_of_this_site_are_followed() {
        assert_eq!(local_path("/offshore/board"), "/offshore/board");
        for foreign in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "",
            "/a\nb",
        ] {
            assert_eq!(local_path(foreign), "/", "{foreign:?}");
        }
    }
}
