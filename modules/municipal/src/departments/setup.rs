//! A department's set-up as stored: diet defaults and the resident schedules. Writers replace a
//! whole set at once (inside the caller's transaction, after bumping the department's version);
//! loaders take many departments at once, because plans and reports cover a whole site.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::db_run;
use galley_core::kitchen::iso_week::IsoWeek;

use crate::schema::{diet_defaults, resident_overrides, standing_residents, week_residents};

/// (department, diet type, residents on it).
pub type DietDefault = (i64, i64, i32);
/// (department, weekday 1-7, lunch residents, dinner residents where they differ).
pub type WeekdayCount = (i64, i32, i32, Option<i32>);
/// (weekday 1-7, lunch residents, dinner residents where they differ): one day of a schedule.
pub type ScheduleDay = (i32, i32, Option<i32>);
/// (department, date, meal, residents).
pub type Override = (i64, NaiveDate, String, i32);

pub async fn replace_diet_defaults(
    conn: &mut DbConn<'_>,
    department_id: i64,
    counts: &[(i64, i32)],
) -> Result<(), DbError> {
    db_run!(conn, |c| {
        diesel::delete(diet_defaults::table.filter(diet_defaults::department_id.eq(department_id)))
            .execute(c)
            .await?;
        for (diet_type_id, residents) in counts.iter().filter(|(_, n)| *n > 0) {
            diesel::insert_into(diet_defaults::table)
                .values((
                    diet_defaults::department_id.eq(department_id),
                    diet_defaults::diet_type_id.eq(diet_type_id),
                    diet_defaults::residents.eq(residents),
                ))
                .execute(c)
                .await?;
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(())
}

/// Replaces the standing weekday schedule; an empty list removes it, and a weekday left out is
/// open (the fixed count applies).
pub async fn replace_standing(
    conn: &mut DbConn<'_>,
    department_id: i64,
    counts: &[ScheduleDay],
) -> Result<(), DbError> {
    db_run!(conn, |c| {
        diesel::delete(
            standing_residents::table.filter(standing_residents::department_id.eq(department_id)),
        )
        .execute(c)
        .await?;
        for (weekday, residents, dinner) in counts {
            diesel::insert_into(standing_residents::table)
                .values((
                    standing_residents::department_id.eq(department_id),
                    standing_residents::weekday.eq(weekday),
                    standing_residents::residents.eq(residents),
                    standing_residents::dinner_residents.eq(dinner),
                ))
                .execute(c)
                .await?;
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(())
}

/// Replaces the schedule of one ISO week; an empty list removes it, and a weekday left out is
/// open (the standing schedule or the fixed count applies).
pub async fn replace_week(
    conn: &mut DbConn<'_>,
    department_id: i64,
    week: IsoWeek,
    counts: &[ScheduleDay],
) -> Result<(), DbError> {
    let (year, number) = (week.year, week.week as i32);
    db_run!(conn, |c| {
        diesel::delete(
            week_residents::table
                .filter(week_residents::department_id.eq(department_id))
                .filter(week_residents::year.eq(year))
                .filter(week_residents::week.eq(number)),
        )
        .execute(c)
        .await?;
        for (weekday, residents, dinner) in counts {
            diesel::insert_into(week_residents::table)
                .values((
                    week_residents::department_id.eq(department_id),
                    week_residents::year.eq(year),
                    week_residents::week.eq(number),
                    week_residents::weekday.eq(weekday),
                    week_residents::residents.eq(residents),
                    week_residents::dinner_residents.eq(dinner),
                ))
                .execute(c)
                .await?;
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(())
}

/// Sets (`Some`) or removes (`None`) the override of one date and meal.
pub async fn set_override(
    conn: &mut DbConn<'_>,
    department_id: i64,
    date: NaiveDate,
    meal: &str,
    residents: Option<i32>,
) -> Result<(), DbError> {
    db_run!(conn, |c| {
        diesel::delete(
            resident_overrides::table
                .filter(resident_overrides::department_id.eq(department_id))
                .filter(resident_overrides::date.eq(date))
                .filter(resident_overrides::meal.eq(meal)),
        )
        .execute(c)
        .await?;
        if let Some(residents) = residents {
            diesel::insert_into(resident_overrides::table)
                .values((
                    resident_overrides::department_id.eq(department_id),
                    resident_overrides::date.eq(date),
                    resident_overrides::meal.eq(meal),
                    resident_overrides::residents.eq(residents),
                ))
                .execute(c)
                .await?;
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(())
}

pub async fn diet_defaults_of(
    conn: &mut DbConn<'_>,
    departments: &[i64],
) -> Result<Vec<DietDefault>, DbError> {
    let rows = db_run!(conn, |c| {
        diet_defaults::table
            .filter(diet_defaults::department_id.eq_any(departments))
            .order((diet_defaults::department_id, diet_defaults::diet_type_id))
            .select((
                diet_defaults::department_id,
                diet_defaults::diet_type_id,
                diet_defaults::residents,
            ))
            .load::<DietDefault>(c)
            .await
    })?;
    Ok(rows)
}

pub async fn standing_of(
    conn: &mut DbConn<'_>,
    departments: &[i64],
) -> Result<Vec<WeekdayCount>, DbError> {
    let rows = db_run!(conn, |c| {
        standing_residents::table
            .filter(standing_residents::department_id.eq_any(departments))
            .order((
                standing_residents::department_id,
                standing_residents::weekday,
            ))
            .select((
                standing_residents::department_id,
                standing_residents::weekday,
                standing_residents::residents,
                standing_residents::dinner_residents,
            ))
            .load::<WeekdayCount>(c)
            .await
    })?;
    Ok(rows)
}

pub async fn week_of(
    conn: &mut DbConn<'_>,
    departments: &[i64],
    week: IsoWeek,
) -> Result<Vec<WeekdayCount>, DbError> {
    let (year, number) = (week.year, week.week as i32);
    let rows = db_run!(conn, |c| {
        week_residents::table
            .filter(week_residents::department_id.eq_any(departments))
            .filter(week_residents::year.eq(year))
            .filter(week_residents::week.eq(number))
            .order((week_residents::department_id, week_residents::weekday))
            .select((
                week_residents::department_id,
                week_residents::weekday,
                week_residents::residents,
                week_residents::dinner_residents,
            ))
            .load::<WeekdayCount>(c)
            .await
    })?;
    Ok(rows)
}

pub async fn overrides_of(
    conn: &mut DbConn<'_>,
    departments: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Override>, DbError> {
    let rows = db_run!(conn, |c| {
        resident_overrides::table
            .filter(resident_overrides::department_id.eq_any(departments))
            .filter(resident_overrides::date.ge(from))
            .filter(resident_overrides::date.le(to))
            .order((
                resident_overrides::department_id,
                resident_overrides::date,
                resident_overrides::meal,
            ))
            .select((
                resident_overrides::department_id,
                resident_overrides::date,
                resident_overrides::meal,
                resident_overrides::residents,
            ))
            .load::<Override>(c)
            .await
    })?;
    Ok(rows)
}
