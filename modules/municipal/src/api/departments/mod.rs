//! `/api/v1/municipal/...`: a kitchen's departments and their set-up. Admins set up; the
//! kitchen reads; a department's own staff read their department. The diet defaults and the
//! resident schedules are part of the department: every write to them needs the department's
//! ETag and moves it to its next version, so one ETag guards the whole set-up.

mod crud;
mod diets;
mod overrides;
mod schedules;
mod staff;

use axum::Router;
use axum::routing::get;
use galley_core::http::concurrency::etag;
use galley_core::http::problem::FieldError;
use galley_core::people::api::utc;
use galley_core::state::AppState;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::OpenApi;

use crate::departments::Department;

pub use crud::{
    DepartmentChange, NewDepartment, create_department, delete_department, update_department,
};
pub use diets::{DietDefaultIn, DietDefaults, diet_defaults, replace_diet_defaults};
pub use overrides::{DayOverride, OverrideChange, overrides_between, set_override, set_overrides};
pub use schedules::{WeekdaySchedule, replace_standing, replace_week, standing, week_schedule};
pub use staff::{Binding, BindingChange, binding, binding_etag, set_binding};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/sites/{site_id}/departments",
            get(crud::list_departments).post(crud::create),
        )
        .route(
            "/departments/{id}",
            get(crud::read_department)
                .patch(crud::update)
                .delete(crud::delete),
        )
        .route(
            "/departments/{id}/diet-defaults",
            get(diets::read_diet_defaults).put(diets::replace),
        )
        .route(
            "/departments/{id}/schedule",
            get(schedules::read_standing).put(schedules::put_standing),
        )
        .route(
            "/departments/{id}/weeks/{year}/{week}/residents",
            get(schedules::read_week).put(schedules::put_week),
        )
        .route(
            "/departments/{id}/overrides",
            get(overrides::list_overrides),
        )
        .route(
            "/departments/{id}/overrides/{date}",
            axum::routing::put(overrides::put).patch(overrides::patch),
        )
        .route(
            "/users/{user_id}/department",
            get(staff::read_binding).put(staff::put_binding),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(
        crud::list_departments, crud::create, crud::read_department, crud::update, crud::delete,
        diets::read_diet_defaults, diets::replace,
        schedules::read_standing, schedules::put_standing,
        schedules::read_week, schedules::put_week,
        overrides::list_overrides, overrides::put, overrides::patch,
        staff::read_binding, staff::put_binding,
    ),
    tags((name = "municipal departments", description = "Departments of a municipal kitchen and their set-up"))
)]
pub struct DepartmentsApi;

/// Most residents a department, a diet or a day may count (the database checks the same).
pub const MAX_RESIDENTS: i32 = 1000;

/// The department's ETag: it covers its fields, diet defaults and resident schedules.
pub fn department_etag(department: &Department) -> String {
    etag("department", department.id, department.version)
}

/// A department of a kitchen.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DepartmentOut {
    pub id: i64,
    pub site_id: i64,
    pub name: String,
    /// Residents eating on a day no schedule or override speaks for.
    pub residents: i32,
    pub notes: String,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<&Department> for DepartmentOut {
    fn from(department: &Department) -> Self {
        DepartmentOut {
            id: department.id,
            site_id: department.site_id,
            name: department.name.clone(),
            residents: department.residents,
            notes: department.notes.clone(),
            version: department.version,
            created_at: utc(department.created_at),
            updated_at: utc(department.updated_at),
        }
    }
}

/// A resident count must lie in 0..=1000.
fn check_count(field: String, value: i32, errors: &mut Vec<FieldError>) {
    if !(0..=MAX_RESIDENTS).contains(&value) {
        errors.push(FieldError {
            field,
            reason: format!("must be a number from 0 to {MAX_RESIDENTS}"),
        });
    }
}

/// A field that may be left out (`None`), sent as `null` (`Some(None)`) or sent with a value;
/// with `#[serde(default)]`.
fn sent<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A field that must be sent but may be `null`: with a `deserialize_with`, serde treats a
/// missing field as an error rather than as `None`.
fn nullable<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer)
}
