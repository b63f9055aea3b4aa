//! `/departments/{id}/overrides`: residents for one date and meal, over any schedule (a trip,
//! a party, an outbreak). The first rule of the plan: an override wins over everything.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use galley_core::audit::{self, Entry};
use galley_core::auth::{Allowed, Caller};
use galley_core::db::DbConn;
use galley_core::http::concurrency::{check_precondition, if_match, with_etag};
use galley_core::http::problem::FieldError;
use galley_core::http::{ApiJson, ApiQuery, AppError};
use galley_core::people::api::{fail_if_any, tenant_of};
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::crud::stale;
use super::{check_count, department_etag};
use crate::api::access::DepartmentAccess;
use crate::api::{Admins, WeekReaders};
use crate::departments::{self, Department, setup};
use crate::plan::Meal;

/// The longest range one read covers, in days.
pub const MAX_RANGE_DAYS: i64 = 366;

/// The overrides of one date; `null` where a meal has none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DayOverride {
    pub date: NaiveDate,
    pub lunch: Option<i32>,
    pub dinner: Option<i32>,
}

/// The overrides of a date range, by date (dates without any are left out).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OverridesOut {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub overrides: Vec<DayOverride>,
}

/// Both meals must be sent: a number sets that meal's residents, `null` removes its override.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideChange {
    #[serde(deserialize_with = "super::nullable")]
    #[schema(value_type = Option<i32>, required = true, minimum = 0, maximum = 1000)]
    pub lunch: Option<i32>,
    #[serde(deserialize_with = "super::nullable")]
    #[schema(value_type = Option<i32>, required = true, minimum = 0, maximum = 1000)]
    pub dinner: Option<i32>,
}

/// Only the meals sent change: a number sets that meal's residents, `null` removes its
/// override, and a meal left out keeps what it has.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverridePatch {
    #[serde(default, deserialize_with = "super::sent")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 1000)]
    pub lunch: Option<Option<i32>>,
    #[serde(default, deserialize_with = "super::sent")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 1000)]
    pub dinner: Option<Option<i32>>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// First date, YYYY-MM-DD.
    pub from: Option<String>,
    /// Last date, YYYY-MM-DD; at most 366 days after `from`, counting both.
    pub to: Option<String>,
}

fn parse_date(field: &str, value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let parsed = value.and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok());
    if parsed.is_none() {
        errors.push(FieldError {
            field: field.into(),
            reason: "must be a date like 2026-03-16".into(),
        });
    }
    parsed
}

fn check_range(query: &RangeQuery) -> Result<(NaiveDate, NaiveDate), AppError> {
    let mut errors = Vec::new();
    let from = parse_date("from", query.from.as_deref(), &mut errors);
    let to = parse_date("to", query.to.as_deref(), &mut errors);
    if let (Some(from), Some(to)) = (from, to) {
        let days = (to - from).num_days() + 1;
        if days < 1 {
            errors.push(FieldError {
                field: "to".into(),
                reason: "must not be before from".into(),
            });
        } else if days > MAX_RANGE_DAYS {
            errors.push(FieldError {
                field: "to".into(),
                reason: format!("the range may cover at most {MAX_RANGE_DAYS} days"),
            });
        }
    }
    fail_if_any(errors)?;
    match (from, to) {
        (Some(from), Some(to)) => Ok((from, to)),
        _ => Err(AppError::validation(
            "from",
            "must be a date like 2026-03-16",
        )),
    }
}

/// The department's overrides from `from` to `to`, both included.
pub async fn overrides_between(
    conn: &mut DbConn<'_>,
    department_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DayOverride>, AppError> {
    let mut days: BTreeMap<NaiveDate, DayOverride> = BTreeMap::new();
    for (_, date, meal, residents) in setup::overrides_of(conn, &[department_id], from, to).await? {
        let day = days.entry(date).or_insert(DayOverride {
            date,
            lunch: None,
            dinner: None,
        });
        match Meal::parse(&meal) {
            Some(Meal::Lunch) => day.lunch = Some(residents),
            Some(Meal::Dinner) => day.dinner = Some(residents),
            None => {}
        }
    }
    Ok(days.into_values().collect())
}

/// Sets or removes the overrides of one date; the department moves to its next version
/// unless nothing changed.
pub async fn set_override(
    state: &AppState,
    caller: &Caller,
    department: &Department,
    expected: Option<&str>,
    date: NaiveDate,
    body: &OverrideChange,
) -> Result<(Department, DayOverride), AppError> {
    let wanted = DayOverride {
        date,
        lunch: body.lunch,
        dinner: body.dinner,
    };
    let result = set_overrides(
        state,
        caller,
        department,
        expected,
        std::slice::from_ref(&wanted),
    )
    .await;
    match result {
        Ok((updated, _)) => Ok((updated, wanted)),
        // One date: the fields are the body's own, `lunch` and `dinner`.
        Err(AppError::Validation(errors)) => Err(AppError::Validation(
            errors
                .into_iter()
                .map(|e| FieldError {
                    field: e
                        .field
                        .strip_prefix("days[0].")
                        .map_or(e.field.clone(), str::to_owned),
                    reason: e.reason,
                })
                .collect(),
        )),
        Err(other) => Err(other),
    }
}

/// Sets the overrides of several dates at once, each as given (`None`: no override for that
/// meal), in one transaction and one new version; dates whose overrides stay the same are left
/// alone. Errors name `days[i].lunch` and `days[i].dinner`.
pub async fn set_overrides(
    state: &AppState,
    caller: &Caller,
    department: &Department,
    expected: Option<&str>,
    days: &[DayOverride],
) -> Result<(Department, Vec<DayOverride>), AppError> {
    let tenant = tenant_of(caller)?;
    check_precondition(expected, &department_etag(department))?;
    let mut errors = Vec::new();
    for (index, day) in days.iter().enumerate() {
        for (meal, value) in [("lunch", day.lunch), ("dinner", day.dinner)] {
            if let Some(residents) = value {
                check_count(format!("days[{index}].{meal}"), residents, &mut errors);
            }
        }
    }
    fail_if_any(errors)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let mut changes = Vec::new();
    for day in days {
        let before = overrides_between(conn, department.id, day.date, day.date)
            .await?
            .pop()
            .unwrap_or(DayOverride {
                date: day.date,
                lunch: None,
                dinner: None,
            });
        if before != *day {
            changes.push((before, day.clone()));
        }
    }
    if changes.is_empty() {
        return Ok((department.clone(), days.to_vec()));
    }
    let updated = galley_core::transaction!(conn, |tx| {
        if !departments::bump(tx, department).await? {
            return Ok::<_, AppError>(None);
        }
        for (before, day) in &changes {
            for (meal, residents) in [(Meal::Lunch, day.lunch), (Meal::Dinner, day.dinner)] {
                setup::set_override(tx, department.id, day.date, meal.as_str(), residents).await?;
            }
            audit::record(
                tx,
                Entry::new("resident_override.set", caller.actor(), Some(tenant))
                    .target("department", department.id)
                    .details(json!({
                        "date": day.date,
                        "lunch": { "from": before.lunch, "to": day.lunch },
                        "dinner": { "from": before.dinner, "to": day.dinner },
                    })),
            )
            .await?;
        }
        Ok(departments::find(tx, tenant, department.id).await?)
    })?;
    match updated {
        Some(updated) => Ok((updated, days.to_vec())),
        None => Err(stale(conn, tenant, department.id).await),
    }
}

/// The department's resident overrides in a date range (at most 366 days). Not paginated:
/// the range bounds the answer (at most one entry per day), so `from`/`to` are its paging.
#[utoipa::path(get, path = "/api/v1/municipal/departments/{id}/overrides",
    tag = "municipal departments", params(("id" = i64, Path), RangeQuery),
    responses((status = 200, body = OverridesOut), (status = 304), (status = 404),
        (status = 422)))]
pub async fn list_overrides(
    State(state): State<AppState>,
    Allowed(_caller, _): Allowed<WeekReaders>,
    DepartmentAccess(department): DepartmentAccess,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> Result<Response, AppError> {
    let (from, to) = check_range(&query)?;
    let mut pooled = state.db.get().await?;
    let overrides = overrides_between(&mut pooled.conn(), department.id, from, to).await?;
    Ok(with_etag(
        &headers,
        department_etag(&department),
        &OverridesOut {
            from,
            to,
            overrides,
        },
    ))
}

fn date_of_path(date: &str) -> Result<NaiveDate, AppError> {
    let mut errors = Vec::new();
    let date = parse_date("date", Some(date), &mut errors);
    fail_if_any(errors)?;
    date.ok_or(AppError::NotFound)
}

/// Change one meal's override of a date and keep the other's: `{"dinner": 4}` sets dinner,
/// `{"lunch": null}` removes lunch's. Needs the department's `If-Match`.
#[utoipa::path(patch, path = "/api/v1/municipal/departments/{id}/overrides/{date}",
    tag = "municipal departments", request_body = OverridePatch,
    params(("id" = i64, Path), ("date" = String, Path, description = "YYYY-MM-DD"),
        ("If-Match" = String, Header)),
    responses((status = 200, body = DayOverride), (status = 404), (status = 412), (status = 422),
        (status = 428)))]
pub async fn patch(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    DepartmentAccess(department): DepartmentAccess,
    headers: HeaderMap,
    Path((_id, date)): Path<(i64, String)>,
    ApiJson(body): ApiJson<OverridePatch>,
) -> Result<Response, AppError> {
    let date = date_of_path(&date)?;
    // The overrides read here belong to the version `If-Match` names: any change to them
    // bumps the department, so a stale read ends in 412, never in a lost meal.
    check_precondition(if_match(&headers), &department_etag(&department))?;
    let current = {
        let mut pooled = state.db.get().await?;
        overrides_between(&mut pooled.conn(), department.id, date, date)
            .await?
            .pop()
    };
    let change = OverrideChange {
        lunch: body
            .lunch
            .unwrap_or_else(|| current.as_ref().and_then(|c| c.lunch)),
        dinner: body
            .dinner
            .unwrap_or_else(|| current.as_ref().and_then(|c| c.dinner)),
    };
    let (updated, day) = set_override(
        &state,
        &caller,
        &department,
        if_match(&headers),
        date,
        &change,
    )
    .await?;
    Ok(with_etag(
        &HeaderMap::new(),
        department_etag(&updated),
        &day,
    ))
}

/// Set or remove the overrides of one date: `{"lunch": 9, "dinner": null}`. Needs the
/// department's `If-Match`.
#[utoipa::path(put, path = "/api/v1/municipal/departments/{id}/overrides/{date}",
    tag = "municipal departments", request_body = OverrideChange,
    params(("id" = i64, Path), ("date" = String, Path, description = "YYYY-MM-DD"),
        ("If-Match" = String, Header)),
    responses((status = 200, body = DayOverride), (status = 404), (status = 412), (status = 422),
        (status = 428)))]
pub async fn put(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<Admins>,
    DepartmentAccess(department): DepartmentAccess,
    headers: HeaderMap,
    Path((_id, date)): Path<(i64, String)>,
    ApiJson(body): ApiJson<OverrideChange>,
) -> Result<Response, AppError> {
    let date = date_of_path(&date)?;
    let (updated, day) = set_override(
        &state,
        &caller,
        &department,
        if_match(&headers),
        date,
        &body,
    )
    .await?;
    Ok(with_etag(
        &HeaderMap::new(),
        department_etag(&updated),
        &day,
    ))
}
