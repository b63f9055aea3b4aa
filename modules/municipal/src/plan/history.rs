//! The standing set-up a week is planned with, and how a week that is over keeps it.
//!
//! The set-up is what applies to every week until someone changes it: the departments (their
//! names and fixed resident counts), their diet counts and standing schedules, the diet types and
//! the site's settings. Before any of it changes, [`keep`] stores it as it is, for every week
//! that is over and not yet covered, so a past week's plan and report never change afterwards
//! (decision 0020). Week-bound data (menus, week schedules, per-day overrides, choices and
//! marks) belongs to its week and is read as stored.

use std::collections::HashMap;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::db_run;
use galley_core::kitchen::diets::{self, DietType};
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::people::sites::{self, Site};
use serde::{Deserialize, Serialize};

use super::Meal;
use crate::departments::{self, Department, setup};
use crate::schema::municipal_setup_history;
use crate::settings::{self, Settings};

/// The set-up one week is planned with.
#[derive(Debug, Clone)]
pub struct Setup {
    pub settings: Settings,
    /// By name.
    pub diet_types: Vec<DietType>,
    /// By name.
    pub departments: Vec<Department>,
    /// Department → (diet type, residents on it).
    pub defaults: HashMap<i64, Vec<(i64, i64)>>,
    /// (department, weekday, meal) → residents.
    pub standing: HashMap<(i64, u32, Meal), i64>,
}

/// Which departments a set-up is wanted for.
#[derive(Debug, Clone, Copy)]
pub enum Wanted<'a> {
    Site,
    Department(&'a Department),
}

/// The number a week is stored under: year * 100 + ISO week, so weeks compare as numbers.
pub fn week_key(week: IsoWeek) -> i32 {
    week.year * 100 + week.week as i32
}

/// The site's current week, in its own time zone.
pub fn current_week(site: &Site) -> IsoWeek {
    IsoWeek::containing(Utc::now().with_timezone(&site.zone()).date_naive())
}

/// The set-up `week` is planned with: for a week that is over, the one kept for it (or, when
/// nothing changed since it ended, the live one with the departments and diets it had); for
/// the current and later weeks, the live one.
pub async fn setup_for(
    conn: &mut DbConn<'_>,
    site: &Site,
    week: IsoWeek,
    wanted: Wanted<'_>,
) -> Result<Setup, DbError> {
    if week >= current_week(site) {
        return Ok(Stored::live(conn, site.id, None, wanted)
            .await?
            .for_week(site.id, week, wanted));
    }
    let key = week_key(week);
    let kept = db_run!(conn, |c| {
        municipal_setup_history::table
            .filter(municipal_setup_history::site_id.eq(site.id))
            .filter(municipal_setup_history::until_week.ge(key))
            .order(municipal_setup_history::until_week)
            .select(municipal_setup_history::setup)
            .first::<String>(c)
            .await
            .optional()
    })?;
    let stored = match kept {
        Some(text) => serde_json::from_str::<Stored>(&text).map_err(|error| {
            DbError::Other(diesel::result::Error::DeserializationError(Box::new(error)))
        })?,
        None => Stored::live(conn, site.id, Some(monday_start(week)), wanted).await?,
    };
    Ok(stored.for_week(site.id, week, wanted))
}

/// Keeps the site's set-up for the weeks that are over and not yet covered. Every set-up
/// write calls this first, in its own transaction, so the weeks before it keep their numbers.
pub async fn keep(conn: &mut DbConn<'_>, tenant_id: i64, site_id: i64) -> Result<(), DbError> {
    let Some(site) = sites::find(conn, tenant_id, site_id).await? else {
        return Ok(());
    };
    let last_over = week_key(current_week(&site).previous());
    let covered = db_run!(conn, |c| {
        municipal_setup_history::table
            .filter(municipal_setup_history::site_id.eq(site_id))
            .select(diesel::dsl::max(municipal_setup_history::until_week))
            .first::<Option<i32>>(c)
            .await
    })?;
    if covered.is_some_and(|until| until >= last_over) {
        return Ok(());
    }
    // Whatever was deleted during the weeks this record covers still counted in them.
    let since = match covered {
        Some(until) => monday_start(week_after(until)),
        // Every deletion ever (PostgreSQL's timestamps do not reach chrono's minimum).
        None => chrono::DateTime::UNIX_EPOCH.naive_utc(),
    };
    let stored = Stored::live(conn, site_id, Some(since), Wanted::Site).await?;
    let text = serde_json::to_string(&stored).map_err(|error| {
        DbError::Other(diesel::result::Error::SerializationError(Box::new(error)))
    })?;
    let now = galley_core::db::now();
    db_run!(conn, |c| {
        diesel::insert_into(municipal_setup_history::table)
            .values((
                municipal_setup_history::site_id.eq(site_id),
                municipal_setup_history::tenant_id.eq(tenant_id),
                municipal_setup_history::until_week.eq(last_over),
                municipal_setup_history::setup.eq(&text),
                municipal_setup_history::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(c)
            .await
    })?;
    Ok(())
}

fn monday_start(week: IsoWeek) -> NaiveDateTime {
    week.monday().and_time(chrono::NaiveTime::MIN)
}

/// The week after the one stored as `key`.
fn week_after(key: i32) -> IsoWeek {
    IsoWeek::new(key / 100, (key % 100) as u32)
        .map(IsoWeek::next)
        .unwrap_or_else(|_| IsoWeek::containing(chrono::NaiveDate::MIN))
}

/// The set-up as kept: the departments and diet types with when they were deleted, so that each
/// week covered counts those it had.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    settings: StoredSettings,
    diet_types: Vec<StoredDiet>,
    departments: Vec<StoredDepartment>,
    /// (department, diet type, residents).
    defaults: Vec<(i64, i64, i32)>,
    standing: Vec<StoredWeekday>,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredSettings {
    deadline_weekday: i32,
    deadline_minute: i32,
    deadline_weeks_before: i32,
    weekend_alt2: bool,
    version: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredDiet {
    id: i64,
    tenant_id: i64,
    name: String,
    excludes: i64,
    texture_level: Option<i32>,
    always_applies: bool,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    deleted_at: Option<NaiveDateTime>,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredDepartment {
    id: i64,
    tenant_id: i64,
    name: String,
    residents: i32,
    notes: String,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    deleted_at: Option<NaiveDateTime>,
}

/// A standing schedule's weekday: lunch residents, and dinner's where it differs.
#[derive(Debug, Serialize, Deserialize)]
struct StoredWeekday {
    department: i64,
    weekday: i32,
    residents: i32,
    #[serde(default)]
    dinner: Option<i32>,
}

impl Stored {
    /// The set-up as stored now; with `since`, also what was deleted since then.
    async fn live(
        conn: &mut DbConn<'_>,
        site_id: i64,
        since: Option<NaiveDateTime>,
        wanted: Wanted<'_>,
    ) -> Result<Stored, DbError> {
        let settings = settings::load(conn, site_id).await?;
        let diet_types = match since {
            Some(since) => diets::list_existing_since(conn, site_id, since).await?,
            None => diets::list(conn, site_id)
                .await?
                .into_iter()
                .map(|diet| (diet, None))
                .collect(),
        };
        let departments = match (wanted, since) {
            (Wanted::Department(department), _) => vec![(department.clone(), None)],
            (Wanted::Site, Some(since)) => {
                departments::list_existing_since(conn, site_id, since).await?
            }
            (Wanted::Site, None) => departments::list(conn, site_id)
                .await?
                .into_iter()
                .map(|department| (department, None))
                .collect(),
        };
        let ids: Vec<i64> = departments.iter().map(|(d, _)| d.id).collect();
        let defaults = setup::diet_defaults_of(conn, &ids).await?;
        let standing = setup::standing_of(conn, &ids)
            .await?
            .into_iter()
            .map(|(department, weekday, residents, dinner)| StoredWeekday {
                department,
                weekday,
                residents,
                dinner,
            })
            .collect();
        Ok(Stored {
            settings: StoredSettings {
                deadline_weekday: settings.deadline_weekday,
                deadline_minute: settings.deadline_minute,
                deadline_weeks_before: settings.deadline_weeks_before,
                weekend_alt2: settings.weekend_alt2,
                version: settings.version,
            },
            diet_types: diet_types
                .into_iter()
                .map(|(diet, deleted_at)| StoredDiet {
                    id: diet.id,
                    tenant_id: diet.tenant_id,
                    name: diet.name,
                    excludes: diet.excludes,
                    texture_level: diet.texture_level,
                    always_applies: diet.always_applies,
                    version: diet.version,
                    created_at: diet.created_at,
                    updated_at: diet.updated_at,
                    deleted_at,
                })
                .collect(),
            departments: departments
                .into_iter()
                .map(|(department, deleted_at)| StoredDepartment {
                    id: department.id,
                    tenant_id: department.tenant_id,
                    name: department.name,
                    residents: department.residents,
                    notes: department.notes,
                    version: department.version,
                    created_at: department.created_at,
                    updated_at: department.updated_at,
                    deleted_at,
                })
                .collect(),
            defaults,
            standing,
        })
    }

    /// The set-up of one week: what existed in it, for the departments wanted.
    fn for_week(self, site_id: i64, week: IsoWeek, wanted: Wanted<'_>) -> Setup {
        let start = monday_start(week);
        let existed = |deleted_at: Option<NaiveDateTime>| deleted_at.is_none_or(|at| at >= start);
        let diet_types: Vec<DietType> = self
            .diet_types
            .into_iter()
            .filter(|diet| existed(diet.deleted_at))
            .map(|diet| DietType {
                id: diet.id,
                tenant_id: diet.tenant_id,
                site_id,
                name: diet.name,
                excludes: diet.excludes,
                texture_level: diet.texture_level,
                always_applies: diet.always_applies,
                version: diet.version,
                created_at: diet.created_at,
                updated_at: diet.updated_at,
            })
            .collect();
        let departments: Vec<Department> = self
            .departments
            .into_iter()
            .filter(|department| existed(department.deleted_at))
            .filter(|department| match wanted {
                Wanted::Department(only) => department.id == only.id,
                Wanted::Site => true,
            })
            .map(|department| Department {
                id: department.id,
                tenant_id: department.tenant_id,
                site_id,
                name: department.name,
                residents: department.residents,
                notes: department.notes,
                version: department.version,
                created_at: department.created_at,
                updated_at: department.updated_at,
            })
            .collect();
        let mut defaults: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
        for (department, diet, residents) in self.defaults {
            defaults
                .entry(department)
                .or_default()
                .push((diet, i64::from(residents)));
        }
        let mut standing = HashMap::new();
        for row in self.standing {
            let weekday = row.weekday as u32;
            let lunch = i64::from(row.residents);
            standing.insert((row.department, weekday, Meal::Lunch), lunch);
            standing.insert(
                (row.department, weekday, Meal::Dinner),
                row.dinner.map_or(lunch, i64::from),
            );
        }
        Setup {
            settings: Settings {
                site_id,
                deadline_weekday: self.settings.deadline_weekday,
                deadline_minute: self.settings.deadline_minute,
                deadline_weeks_before: self.settings.deadline_weeks_before,
                weekend_alt2: self.settings.weekend_alt2,
                version: self.settings.version,
            },
            diet_types,
            departments,
            defaults,
            standing,
        }
    }
}
