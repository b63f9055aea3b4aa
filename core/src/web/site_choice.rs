//! The site a page shows: a reader bound to a site always gets theirs; others pick one with
//! `?site=` (the tenant's first by default). Shared by every module's pages.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::auth::Caller;
use crate::http::AppError;
use crate::people::sites::{self, Site};
use crate::state::AppState;

/// `?site=` on a page (only used when the tenant has several sites).
#[derive(Debug, Default, Deserialize)]
pub struct SiteQuery {
    pub site: Option<String>,
}

/// The kitchen a page shows, and the ones the reader may switch to.
pub struct ChosenSite {
    pub site: Site,
    pub timezone: chrono_tz::Tz,
    /// Every kitchen of the tenant when the reader may pick one (more than one, and the
    /// reader is not bound to a site); empty otherwise, and then no picker is shown.
    pub choices: Vec<Site>,
}

impl ChosenSite {
    /// `?site=ID` for links when there is a picker, so following a link keeps the kitchen.
    pub fn query(&self) -> String {
        if self.choices.is_empty() {
            String::new()
        } else {
            format!("?site={}", self.site.id)
        }
    }

    pub fn today(&self) -> chrono::NaiveDate {
        chrono::Utc::now()
            .with_timezone(&self.timezone)
            .date_naive()
    }
}

/// The kitchen for this reader: a reader bound to a site always gets theirs; otherwise the
/// one asked for with `?site=`, or the tenant's first. `None` when the tenant has no kitchen.
pub async fn chosen_site(
    state: &AppState,
    caller: &Caller,
    query: &SiteQuery,
) -> Result<Option<ChosenSite>, AppError> {
    let tenant = caller.tenant_id.ok_or(AppError::NotFound)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let asked = match query.site.as_deref().filter(|s| !s.is_empty()) {
        Some(text) => Some(text.parse::<i64>().map_err(|_| AppError::NotFound)?),
        None => None,
    };
    let (site, choices) = if let Some(bound) = caller.site_id {
        if asked.is_some_and(|id| id != bound) {
            return Err(AppError::NotFound);
        }
        (sites::find(conn, tenant, bound).await?, Vec::new())
    } else {
        let (all, _) = sites::list(conn, tenant, 0, 500).await?;
        let site = match asked {
            Some(id) => Some(
                all.iter()
                    .find(|s| s.id == id)
                    .cloned()
                    .ok_or(AppError::NotFound)?,
            ),
            None => all.first().cloned(),
        };
        (site, if all.len() > 1 { all } else { Vec::new() })
    };
    Ok(site.map(|site| ChosenSite {
        timezone: site.zone(),
        site,
        choices,
    }))
}

/// An error as a page: the error-page layer fills in the HTML for a bare status (the error
/// itself is logged by `AppError`).
pub fn page_error(error: AppError) -> Response {
    let status = error.into_response().status();
    if status == StatusCode::OK {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    status.into_response()
}
