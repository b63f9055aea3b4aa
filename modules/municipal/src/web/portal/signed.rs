//! The caller of a page's form post, with what happens when the session has ended in between:
//! nothing is saved, and the person is told so. A post from a page's script
//! (`X-Requested-With: fetch`) is answered 401 problem+json, so the script can ask the person
//! to sign in again in place (`/static/reauth.js`) and retry with what they typed. A plain
//! form post goes to `/login?next=<the page>&unsaved=1`: the sign-in page says the change was
//! not saved, and signing in returns to the page (not to the post's address, which has no page).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use galley_core::auth::{Caller, RoleSet};
use galley_core::http::AppError;
use galley_core::state::AppState;
use galley_core::web::admin::Console;

/// The header a page's script sends with a form post it makes itself.
pub const FETCH_HEADER: &str = "x-requested-with";

pub struct FormCaller<R: RoleSet>(pub Console<R>);

/// The page a form post belongs to: the portal's day posts belong to the department's page,
/// the menu editor's posts (`/municipal/menus/{year}/{week}[/publish…]`) to the week's page.
pub fn page_of(path: &str) -> String {
    if let Some((page, _)) = path.split_once("/weeks/") {
        return page.to_owned();
    }
    if let Some(rest) = path.strip_prefix("/municipal/menus/") {
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.len() >= 2 {
            return format!("/municipal/menus/{}/{}", parts[0], parts[1]);
        }
    }
    path.to_owned()
}

fn percent(path: &str) -> String {
    path.replace('%', "%25")
        .replace('&', "%26")
        .replace('?', "%3F")
        .replace('#', "%23")
}

impl<R: RoleSet> FromRequestParts<AppState> for FormCaller<R> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.extensions.get::<Caller>().is_none() {
            let from_script = parts
                .headers
                .get(FETCH_HEADER)
                .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"fetch"));
            if from_script {
                return Err(AppError::Unauthenticated(
                    "the session has ended; sign in again and send the change again",
                )
                .into_response());
            }
            let path = parts
                .extensions
                .get::<axum::extract::OriginalUri>()
                .map_or_else(
                    || parts.uri.path().to_owned(),
                    |uri| uri.0.path().to_owned(),
                );
            let next = percent(&page_of(&path));
            return Err(Redirect::to(&format!("/login?next={next}&unsaved=1")).into_response());
        }
        Console::<R>::from_request_parts(parts, state)
            .await
            .map(FormCaller)
    }
}

#[cfg(test)]
mod tests {
    use super::page_of;

    #[test]
    fn posts_belong_to_their_pages() {
        assert_eq!(
            page_of("/municipal/portal/departments/4/weeks/2026/12/days/2"),
            "/municipal/portal/departments/4"
        );
        assert_eq!(
            page_of("/municipal/menus/2026/12"),
            "/municipal/menus/2026/12"
        );
        assert_eq!(
            page_of("/municipal/menus/2026/12/publish"),
            "/municipal/menus/2026/12"
        );
    }
}
