//! The pre-flight of publishing a week menu: what the modules enabled for the site want the
//! cook to look at first (a municipal kitchen: dishes whose allergens nobody stated, days
//! without Alt 2 where the settings offer it, empty slots). Publishing is refused while there
//! are findings unless the cook confirms (`?confirm=true` over the API, a confirm button in
//! the editor); the refusal lists them.

use serde::Serialize;

use super::iso_week::IsoWeek;
use super::menus::MenuItem;
use crate::db::{DbConn, DbError};
use crate::http::AppError;
use crate::http::problem::FieldError;
use crate::state::AppState;

/// One thing to look at before publishing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PublishFinding {
    /// Stable for programs: `allergens_not_stated`, `alt2_missing`, `slot_empty` (more may
    /// come).
    pub code: &'static str,
    /// 1 = Monday ... 7 = Sunday, when the finding is about a day.
    pub day: Option<i32>,
    pub meal: Option<String>,
    pub slot: Option<String>,
    pub dish_id: Option<i64>,
    pub dish_name: Option<String>,
    /// In English, for people.
    pub reason: String,
}

/// The findings of every module enabled for the site, in module order.
pub async fn findings(
    state: &AppState,
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    site_id: i64,
    week: IsoWeek,
    items: &[MenuItem],
) -> Result<Vec<PublishFinding>, DbError> {
    let scope = crate::flags::Scope {
        tenant_id: Some(tenant_id),
        site_id: Some(site_id),
    };
    let mut found = Vec::new();
    for module in state.flags.registry().modules() {
        if state.flags.is_enabled_in(module.id(), scope) {
            found.extend(
                module
                    .menu_publish_findings(conn, site_id, week, items)
                    .await?,
            );
        }
    }
    Ok(found)
}

/// The refusal of a publish with findings: 422, one `errors[]` entry per finding, each on the
/// field `confirm` (send `confirm=true` to publish anyway).
pub fn refusal(findings: &[PublishFinding]) -> AppError {
    AppError::Validation(
        findings
            .iter()
            .map(|finding| FieldError {
                field: "confirm".into(),
                reason: format!("{} ({})", finding.reason, finding.code),
            })
            .collect(),
    )
}
