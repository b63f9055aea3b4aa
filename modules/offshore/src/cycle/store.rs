//! Menu cycles as stored: one cycle per site, and per cycle week a versioned template of
//! (day, meal, slot) items naming dishes.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::db_run;
use galley_core::kitchen::iso_week::IsoWeek;

use crate::schema::offshore_menu_cycles as cycles;
use crate::schema::{offshore_cycle_items as items, offshore_cycle_weeks as weeks};

/// A site's cycle: `length` weeks, with cycle week `start_index` in ISO week `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cycle {
    pub site_id: i64,
    pub length: u32,
    pub start: IsoWeek,
    pub start_index: u32,
    /// 0: not set up.
    pub version: i64,
}

impl Cycle {
    /// The cycle week of an ISO week.
    pub fn week_of(&self, week: IsoWeek) -> u32 {
        super::cycle_week(week, self.start, self.start_index, self.length)
    }
}

/// One dish of a template.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TemplateItem {
    pub day: i32,
    pub meal: String,
    pub slot: String,
    pub dish_id: i64,
}

pub async fn load(conn: &mut DbConn<'_>, site_id: i64) -> Result<Option<Cycle>, DbError> {
    let row: Option<(i32, i32, i32, i32, i64)> = db_run!(conn, |c| {
        cycles::table
            .filter(cycles::site_id.eq(site_id))
            .select((
                cycles::length_weeks,
                cycles::start_year,
                cycles::start_week,
                cycles::start_index,
                cycles::version,
            ))
            .first(c)
            .await
            .optional()
    })?;
    Ok(row.map(|(length, year, week, index, version)| Cycle {
        site_id,
        length: length.max(1) as u32,
        // Written only from a checked week; a row that does not name one falls back to the
        // year's first week rather than failing every read of the site.
        start: IsoWeek::new(year, week.max(1) as u32).unwrap_or(IsoWeek { year, week: 1 }),
        start_index: index.max(1) as u32,
        version,
    }))
}

/// Saves `next` if the stored cycle is still at `current_version`; `false` otherwise.
pub async fn save(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    current_version: i64,
    next: &Cycle,
) -> Result<bool, DbError> {
    let now = galley_core::db::now();
    let values = (
        cycles::length_weeks.eq(next.length as i32),
        cycles::start_year.eq(next.start.year),
        cycles::start_week.eq(next.start.week as i32),
        cycles::start_index.eq(next.start_index as i32),
        cycles::version.eq(current_version + 1),
        cycles::updated_at.eq(now),
    );
    let count = if current_version == 0 {
        db_run!(conn, |c| {
            diesel::insert_into(cycles::table)
                .values((
                    cycles::site_id.eq(next.site_id),
                    cycles::tenant_id.eq(tenant_id),
                    values,
                ))
                .on_conflict_do_nothing()
                .execute(c)
                .await
        })?
    } else {
        db_run!(conn, |c| {
            diesel::update(
                cycles::table
                    .filter(cycles::site_id.eq(next.site_id))
                    .filter(cycles::version.eq(current_version)),
            )
            .set(values)
            .execute(c)
            .await
        })?
    };
    Ok(count == 1)
}

/// The template's version: 0 until first saved.
pub async fn week_version(
    conn: &mut DbConn<'_>,
    site_id: i64,
    cycle_week: u32,
) -> Result<i64, DbError> {
    let version = db_run!(conn, |c| {
        weeks::table
            .filter(weeks::site_id.eq(site_id))
            .filter(weeks::cycle_week.eq(cycle_week as i32))
            .select(weeks::version)
            .first::<i64>(c)
            .await
            .optional()
    })?;
    Ok(version.unwrap_or(0))
}

/// The template's items in (day, meal, slot) order.
pub async fn week_items(
    conn: &mut DbConn<'_>,
    site_id: i64,
    cycle_week: u32,
) -> Result<Vec<TemplateItem>, DbError> {
    let rows: Vec<(i32, String, String, i64)> = db_run!(conn, |c| {
        items::table
            .filter(items::site_id.eq(site_id))
            .filter(items::cycle_week.eq(cycle_week as i32))
            .order((items::day, items::meal, items::slot))
            .select((items::day, items::meal, items::slot, items::dish_id))
            .load(c)
            .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(day, meal, slot, dish_id)| TemplateItem {
            day,
            meal,
            slot,
            dish_id,
        })
        .collect())
}

/// Replaces the template's items if it is still at `current_version`; `false` otherwise.
pub async fn save_week(
    conn: &mut DbConn<'_>,
    site_id: i64,
    cycle_week: u32,
    current_version: i64,
    next: &[TemplateItem],
) -> Result<bool, DbError> {
    let now = galley_core::db::now();
    let week = cycle_week as i32;
    let count = if current_version == 0 {
        db_run!(conn, |c| {
            diesel::insert_into(weeks::table)
                .values((
                    weeks::site_id.eq(site_id),
                    weeks::cycle_week.eq(week),
                    weeks::version.eq(1_i64),
                    weeks::updated_at.eq(now),
                ))
                .on_conflict_do_nothing()
                .execute(c)
                .await
        })?
    } else {
        db_run!(conn, |c| {
            diesel::update(
                weeks::table
                    .filter(weeks::site_id.eq(site_id))
                    .filter(weeks::cycle_week.eq(week))
                    .filter(weeks::version.eq(current_version)),
            )
            .set((
                weeks::version.eq(current_version + 1),
                weeks::updated_at.eq(now),
            ))
            .execute(c)
            .await
        })?
    };
    if count != 1 {
        return Ok(false);
    }
    db_run!(conn, |c| {
        diesel::delete(
            items::table
                .filter(items::site_id.eq(site_id))
                .filter(items::cycle_week.eq(week)),
        )
        .execute(c)
        .await?;
        // One statement per item, as the core menus do: SQLite's async connection has no
        // multi-row insert, and a week holds under a hundred items.
        for item in next {
            diesel::insert_into(items::table)
                .values((
                    items::site_id.eq(site_id),
                    items::cycle_week.eq(week),
                    items::day.eq(item.day),
                    items::meal.eq(&item.meal),
                    items::slot.eq(&item.slot),
                    items::dish_id.eq(item.dish_id),
                ))
                .execute(c)
                .await?;
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(true)
}
