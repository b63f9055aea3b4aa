//! The freezer inventory as stored, and the moves that changed its quantities.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::db::{DbConn, DbError};
use galley_core::db_run;

use super::freezer::Unit;
use crate::schema::offshore_freezer_items as table;
use crate::schema::offshore_freezer_moves as moves;

/// The most live items one site's freezer keeps.
pub const MAX_PER_SITE: i64 = 2_000;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = table)]
pub struct ItemRow {
    pub id: i64,
    pub site_id: i64,
    pub name: String,
    pub quantity_milli: i64,
    pub unit: String,
    pub frozen_on: NaiveDate,
    pub use_by: NaiveDate,
    pub location: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ItemRow {
    /// Written only from checked units (and the table's check).
    pub fn unit(&self) -> Unit {
        Unit::parse(&self.unit).unwrap_or(Unit::Pcs)
    }
}

#[derive(Debug, Clone)]
pub struct ItemFields<'a> {
    pub name: &'a str,
    pub quantity_milli: i64,
    pub unit: Unit,
    pub frozen_on: NaiveDate,
    pub use_by: NaiveDate,
    pub location: &'a str,
}

/// A change of quantity: who, how much (negative is out), why.
#[derive(Debug, Clone, Copy)]
pub struct Move<'a> {
    pub delta_milli: i64,
    pub reason: &'a str,
    pub by: Option<i64>,
}

/// The live items, soonest last day of use first.
pub async fn list(conn: &mut DbConn<'_>, site_id: i64) -> Result<Vec<ItemRow>, DbError> {
    let rows = db_run!(conn, |c| {
        table::table
            .filter(table::site_id.eq(site_id))
            .filter(table::deleted_at.is_null())
            .order((table::use_by, table::name, table::id))
            .select(ItemRow::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

pub async fn find(
    conn: &mut DbConn<'_>,
    site_id: i64,
    id: i64,
) -> Result<Option<ItemRow>, DbError> {
    let row = db_run!(conn, |c| {
        table::table
            .filter(table::id.eq(id))
            .filter(table::site_id.eq(site_id))
            .filter(table::deleted_at.is_null())
            .select(ItemRow::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(row)
}

pub async fn count(conn: &mut DbConn<'_>, site_id: i64) -> Result<i64, DbError> {
    let n = db_run!(conn, |c| {
        table::table
            .filter(table::site_id.eq(site_id))
            .filter(table::deleted_at.is_null())
            .count()
            .get_result::<i64>(c)
            .await
    })?;
    Ok(n)
}

/// The number of moves an item has had (what went in first counts as one).
pub async fn move_count(conn: &mut DbConn<'_>, item_id: i64) -> Result<i64, DbError> {
    let n = db_run!(conn, |c| {
        moves::table
            .filter(moves::item_id.eq(item_id))
            .count()
            .get_result::<i64>(c)
            .await
    })?;
    Ok(n)
}

/// Adds an item and the move that put its quantity in.
pub async fn insert(
    conn: &mut DbConn<'_>,
    (tenant_id, site_id): (i64, i64),
    fields: &ItemFields<'_>,
    by: Option<i64>,
) -> Result<i64, DbError> {
    let now = galley_core::db::now();
    let id = db_run!(conn, |c| {
        diesel::insert_into(table::table)
            .values((
                table::tenant_id.eq(tenant_id),
                table::site_id.eq(site_id),
                table::name.eq(fields.name),
                table::quantity_milli.eq(fields.quantity_milli),
                table::unit.eq(fields.unit.as_str()),
                table::frozen_on.eq(fields.frozen_on),
                table::use_by.eq(fields.use_by),
                table::location.eq(fields.location),
                table::version.eq(1_i64),
                table::created_at.eq(now),
                table::updated_at.eq(now),
            ))
            .returning(table::id)
            .get_result::<i64>(c)
            .await
    })?;
    let first = Move {
        delta_milli: fields.quantity_milli,
        reason: "frozen",
        by,
    };
    record(conn, id, first).await?;
    Ok(id)
}

pub async fn record(conn: &mut DbConn<'_>, item_id: i64, moved: Move<'_>) -> Result<(), DbError> {
    let now = galley_core::db::now();
    db_run!(conn, |c| {
        diesel::insert_into(moves::table)
            .values((
                moves::item_id.eq(item_id),
                moves::delta_milli.eq(moved.delta_milli),
                moves::reason.eq(moved.reason),
                moves::moved_by.eq(moved.by),
                moves::moved_at.eq(now),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Applies `fields` if the stored version is still the one read; a changed quantity is a move.
pub async fn update(
    conn: &mut DbConn<'_>,
    row: &ItemRow,
    fields: &ItemFields<'_>,
    moved: Option<Move<'_>>,
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
            table::name.eq(fields.name),
            table::quantity_milli.eq(fields.quantity_milli),
            table::unit.eq(fields.unit.as_str()),
            table::frozen_on.eq(fields.frozen_on),
            table::use_by.eq(fields.use_by),
            table::location.eq(fields.location),
            table::version.eq(row.version + 1),
            table::updated_at.eq(now),
        ))
        .execute(c)
        .await
    })?;
    if count != 1 {
        return Ok(false);
    }
    if let Some(moved) = moved.filter(|m| m.delta_milli != 0) {
        record(conn, row.id, moved).await?;
    }
    Ok(true)
}

/// Removes the item if the stored version is still the one read (its moves stay).
pub async fn mark_deleted(conn: &mut DbConn<'_>, row: &ItemRow) -> Result<bool, DbError> {
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
