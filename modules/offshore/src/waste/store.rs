//! The waste log and the portion guidelines as stored.
//!
//! Guidelines: a site that never saved any has none (every category at the default, version
//! 0); a save writes a row for every category, all at one new version, so the site's version
//! is the version of any of its rows and one conditional update per row detects a lost race.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::db_run;

use super::entry::WasteInput;
use super::portion::DEFAULT_BASELINE_G;
use super::{Category, Meal};
use crate::schema::offshore_portion_guidelines as rules;
use crate::schema::offshore_waste_entries as table;

pub fn meal_name(meal: Meal) -> &'static str {
    match meal {
        Meal::Lunch => "lunch",
        Meal::Dinner => "dinner",
        Meal::Night => "night",
    }
}

pub fn category_name(category: Category) -> &'static str {
    match category {
        Category::Soup => "soup",
        Category::Fish => "fish",
        Category::Meat => "meat",
        Category::Vegetarian => "vegetarian",
        Category::Dessert => "dessert",
        Category::Extra => "extra",
        Category::NightMeal => "night_meal",
    }
}

fn meal_of(name: &str) -> Option<Meal> {
    Meal::ALL.into_iter().find(|m| meal_name(*m) == name)
}

fn category_of(name: &str) -> Option<Category> {
    Category::ALL
        .into_iter()
        .find(|c| category_name(*c) == name)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = table)]
pub struct WasteRow {
    pub id: i64,
    pub site_id: i64,
    pub date: NaiveDate,
    pub meal: String,
    pub category: String,
    pub dish: Option<String>,
    pub guests: i32,
    pub produced_g: i64,
    pub served_g: i64,
    pub leftover_g: i64,
    pub created_by: Option<i64>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl WasteRow {
    /// The entry as the domain sees it; `None` only for a row the table's checks would refuse.
    pub fn input(&self) -> Option<WasteInput> {
        Some(WasteInput {
            date: self.date,
            meal: meal_of(&self.meal)?,
            category: category_of(&self.category)?,
            dish: self.dish.clone(),
            guests: u32::try_from(self.guests).ok()?,
            produced_g: self.produced_g,
            served_g: self.served_g,
            leftover_g: self.leftover_g,
        })
    }
}

/// The live entries of `first..=last`, by date, meal and id.
pub async fn between(
    conn: &mut DbConn<'_>,
    site_id: i64,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<WasteRow>, DbError> {
    let rows = db_run!(conn, |c| {
        table::table
            .filter(table::site_id.eq(site_id))
            .filter(table::date.between(first, last))
            .filter(table::deleted_at.is_null())
            .order((table::date, table::id))
            .select(WasteRow::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// The live entries of one category in `first..=last` (the portion history).
pub async fn of_category(
    conn: &mut DbConn<'_>,
    site_id: i64,
    category: Category,
    (first, last): (NaiveDate, NaiveDate),
) -> Result<Vec<WasteRow>, DbError> {
    let name = category_name(category);
    let rows = db_run!(conn, |c| {
        table::table
            .filter(table::site_id.eq(site_id))
            .filter(table::category.eq(name))
            .filter(table::date.between(first, last))
            .filter(table::deleted_at.is_null())
            .order((table::date, table::id))
            .select(WasteRow::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

pub async fn find(
    conn: &mut DbConn<'_>,
    site_id: i64,
    id: i64,
) -> Result<Option<WasteRow>, DbError> {
    let row = db_run!(conn, |c| {
        table::table
            .filter(table::id.eq(id))
            .filter(table::site_id.eq(site_id))
            .filter(table::deleted_at.is_null())
            .select(WasteRow::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(row)
}

/// Who and where a new entry belongs to.
#[derive(Debug, Clone, Copy)]
pub struct Owner {
    pub tenant_id: i64,
    pub site_id: i64,
    pub created_by: Option<i64>,
}

fn guests_of(input: &WasteInput) -> i32 {
    // Validated entries have at most 2000 guests.
    i32::try_from(input.guests).unwrap_or(i32::MAX)
}

pub async fn insert(
    conn: &mut DbConn<'_>,
    owner: Owner,
    input: &WasteInput,
) -> Result<i64, DbError> {
    let now = galley_core::db::now();
    let id = db_run!(conn, |c| {
        diesel::insert_into(table::table)
            .values((
                table::tenant_id.eq(owner.tenant_id),
                table::site_id.eq(owner.site_id),
                table::date.eq(input.date),
                table::meal.eq(meal_name(input.meal)),
                table::category.eq(category_name(input.category)),
                table::dish.eq(input.dish_trimmed()),
                table::guests.eq(guests_of(input)),
                table::produced_g.eq(input.produced_g),
                table::served_g.eq(input.served_g),
                table::leftover_g.eq(input.leftover_g),
                table::created_by.eq(owner.created_by),
                table::version.eq(1_i64),
                table::created_at.eq(now),
                table::updated_at.eq(now),
            ))
            .returning(table::id)
            .get_result::<i64>(c)
            .await
    })?;
    Ok(id)
}

/// Rows per multi-row insert on PostgreSQL (16 parameters a row, well under its limit).
const BATCH: usize = 500;

/// Inserts every entry; the caller's transaction makes it all or nothing.
pub async fn insert_all(
    conn: &mut DbConn<'_>,
    owner: Owner,
    inputs: &[WasteInput],
) -> Result<(), DbError> {
    let now = galley_core::db::now();
    for chunk in inputs.chunks(BATCH) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|input| {
                (
                    table::tenant_id.eq(owner.tenant_id),
                    table::site_id.eq(owner.site_id),
                    table::date.eq(input.date),
                    table::meal.eq(meal_name(input.meal)),
                    table::category.eq(category_name(input.category)),
                    table::dish.eq(input.dish_trimmed().map(str::to_owned)),
                    table::guests.eq(guests_of(input)),
                    table::produced_g.eq(input.produced_g),
                    table::served_g.eq(input.served_g),
                    table::leftover_g.eq(input.leftover_g),
                    table::created_by.eq(owner.created_by),
                    table::version.eq(1_i64),
                    table::created_at.eq(now),
                    table::updated_at.eq(now),
                )
            })
            .collect();
        // diesel batches multi-row inserts on PostgreSQL only; on SQLite the rows go one by
        // one inside the caller's transaction, in process, which is as fast.
        match conn {
            DbConn::Postgres(c) => {
                diesel::insert_into(table::table)
                    .values(&rows)
                    .execute(c)
                    .await?;
            }
            DbConn::Sqlite(c) => {
                for row in rows {
                    diesel::insert_into(table::table)
                        .values(row)
                        .execute(c)
                        .await?;
                }
            }
        }
    }
    Ok(())
}

/// Applies `input` if the stored version is still the one read.
pub async fn update(
    conn: &mut DbConn<'_>,
    row: &WasteRow,
    input: &WasteInput,
) -> Result<bool, DbError> {
    let now = galley_core::db::now();
    let count = db_run!(conn, |c| {
        diesel::update(
            table::table
                .filter(table::id.eq(row.id))
                .filter(table::version.eq(row.version))
                .filter(table::deleted_at.is_null()),
        )
        .set((
            table::date.eq(input.date),
            table::meal.eq(meal_name(input.meal)),
            table::category.eq(category_name(input.category)),
            table::dish.eq(input.dish_trimmed()),
            table::guests.eq(guests_of(input)),
            table::produced_g.eq(input.produced_g),
            table::served_g.eq(input.served_g),
            table::leftover_g.eq(input.leftover_g),
            table::version.eq(row.version + 1),
            table::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// Removes the entry if the stored version is still the one read.
pub async fn mark_deleted(conn: &mut DbConn<'_>, row: &WasteRow) -> Result<bool, DbError> {
    let now = galley_core::db::now();
    let count = db_run!(conn, |c| {
        diesel::update(
            table::table
                .filter(table::id.eq(row.id))
                .filter(table::version.eq(row.version))
                .filter(table::deleted_at.is_null()),
        )
        .set((
            table::deleted_at.eq(Some(now)),
            table::version.eq(row.version + 1),
            table::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// A site's guideline for every category, in [`Category::ALL`] order, and their version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guidelines {
    pub grams: Vec<(Category, u32)>,
    pub version: i64,
}

pub async fn guidelines(conn: &mut DbConn<'_>, site_id: i64) -> Result<Guidelines, DbError> {
    let rows: Vec<(String, i32, i64)> = db_run!(conn, |c| {
        rules::table
            .filter(rules::site_id.eq(site_id))
            .select((rules::category, rules::grams_per_guest, rules::version))
            .load(c)
            .await
    })?;
    let grams = Category::ALL
        .into_iter()
        .map(|category| {
            let stored = rows
                .iter()
                .find(|(name, _, _)| category_of(name) == Some(category))
                .and_then(|(_, grams, _)| u32::try_from(*grams).ok());
            (category, stored.unwrap_or(DEFAULT_BASELINE_G))
        })
        .collect();
    let version = rows.iter().map(|(_, _, v)| *v).max().unwrap_or(0);
    Ok(Guidelines { grams, version })
}

/// The guideline of one category (the default when the site has none).
pub async fn guideline(
    conn: &mut DbConn<'_>,
    site_id: i64,
    category: Category,
) -> Result<u32, DbError> {
    let name = category_name(category);
    let grams: Option<i32> = db_run!(conn, |c| {
        rules::table
            .filter(rules::site_id.eq(site_id))
            .filter(rules::category.eq(name))
            .select(rules::grams_per_guest)
            .first(c)
            .await
            .optional()
    })?;
    Ok(grams
        .and_then(|g| u32::try_from(g).ok())
        .unwrap_or(DEFAULT_BASELINE_G))
}

/// Writes `next` (one value per category) if the site's guidelines are still at
/// `current_version`; `false` when another save came first.
pub async fn save_guidelines(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    site_id: i64,
    current_version: i64,
    next: &[(Category, u32)],
) -> Result<bool, DbError> {
    let now = galley_core::db::now();
    let version = current_version + 1;
    for (category, grams) in next {
        let name = category_name(*category);
        let grams = i32::try_from(*grams).unwrap_or(i32::MAX);
        let count = if current_version == 0 {
            db_run!(conn, |c| {
                diesel::insert_into(rules::table)
                    .values((
                        rules::site_id.eq(site_id),
                        rules::category.eq(name),
                        rules::tenant_id.eq(tenant_id),
                        rules::grams_per_guest.eq(grams),
                        rules::version.eq(version),
                        rules::updated_at.eq(now),
                    ))
                    .on_conflict_do_nothing()
                    .execute(c)
                    .await
            })?
        } else {
            db_run!(conn, |c| {
                diesel::update(
                    rules::table
                        .filter(rules::site_id.eq(site_id))
                        .filter(rules::category.eq(name))
                        .filter(rules::version.eq(current_version)),
                )
                .set((
                    rules::grams_per_guest.eq(grams),
                    rules::version.eq(version),
                    rules::updated_at.eq(now),
                ))
                .execute(c)
                .await
            })?
        };
        if count != 1 {
            return Ok(false);
        }
    }
    Ok(true)
}
