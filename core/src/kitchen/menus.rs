//! Menus as stored: one per site and ISO week, with items keyed (day, meal, slot) to dishes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::iso_week::IsoWeek;
use crate::db::{DbConn, DbError};
use crate::schema::{dishes, menu_items, menu_receipts, menus};

pub const DRAFT: &str = "draft";
pub const PUBLISHED: &str = "published";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = menus)]
pub struct Menu {
    pub id: i64,
    pub tenant_id: i64,
    pub site_id: i64,
    pub year: i32,
    pub week: i32,
    pub status: String,
    pub version: i64,
    pub published_at: Option<NaiveDateTime>,
    pub changed_after_publish: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Menu {
    pub fn is_published(&self) -> bool {
        self.status == PUBLISHED
    }
}

/// One (day, meal, slot) of a menu and the dish in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemKey {
    pub day: i32,
    pub meal: String,
    pub slot: String,
}

/// An item with the dish it names, as pages and plans need it.
#[derive(Debug, Clone, Queryable)]
pub struct MenuItem {
    pub menu_id: i64,
    pub day: i32,
    pub meal: String,
    pub slot: String,
    pub dish_id: i64,
    pub dish_name: String,
    pub dish_category: String,
    pub allergens: i64,
    /// Whether the dish's allergens were stated (an empty set may mean "unknown").
    pub allergens_stated: bool,
}

pub async fn find(
    conn: &mut DbConn<'_>,
    site_id: i64,
    week: IsoWeek,
) -> Result<Option<Menu>, DbError> {
    let menu = crate::db_run!(conn, |c| {
        menus::table
            .filter(menus::site_id.eq(site_id))
            .filter(menus::year.eq(week.year))
            .filter(menus::week.eq(week.week as i32))
            .select(Menu::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(menu)
}

/// The site's menus of a week-numbering year, by week.
pub async fn list_year(
    conn: &mut DbConn<'_>,
    site_id: i64,
    year: i32,
) -> Result<Vec<Menu>, DbError> {
    let rows = crate::db_run!(conn, |c| {
        menus::table
            .filter(menus::site_id.eq(site_id))
            .filter(menus::year.eq(year))
            .order(menus::week)
            .select(Menu::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// The ids of every menu of the site, by (year, week).
pub async fn list_ids(conn: &mut DbConn<'_>, site_id: i64) -> Result<Vec<i64>, DbError> {
    let rows = crate::db_run!(conn, |c| {
        menus::table
            .filter(menus::site_id.eq(site_id))
            .order((menus::year, menus::week))
            .select(menus::id)
            .load::<i64>(c)
            .await
    })?;
    Ok(rows)
}

/// The items of some menus with their dishes, in (menu, day, meal, slot) order.
pub async fn items(conn: &mut DbConn<'_>, menu_ids: &[i64]) -> Result<Vec<MenuItem>, DbError> {
    let rows = crate::db_run!(conn, |c| {
        menu_items::table
            .inner_join(dishes::table)
            .filter(menu_items::menu_id.eq_any(menu_ids))
            .order((
                menu_items::menu_id,
                menu_items::day,
                menu_items::meal,
                menu_items::slot,
            ))
            .select((
                menu_items::menu_id,
                menu_items::day,
                menu_items::meal,
                menu_items::slot,
                menu_items::dish_id,
                dishes::name,
                dishes::category,
                dishes::allergens,
                dishes::allergens_stated,
            ))
            .load::<MenuItem>(c)
            .await
    })?;
    Ok(rows)
}

/// Creates the week's draft, version 1, with no items; `None` when another write created the
/// week first.
pub async fn create(
    conn: &mut DbConn<'_>,
    tenant_id: i64,
    site_id: i64,
    week: IsoWeek,
) -> Result<Option<Menu>, DbError> {
    let now = crate::db::now();
    let menu = crate::db_run!(conn, |c| {
        diesel::insert_into(menus::table)
            .values((
                menus::tenant_id.eq(tenant_id),
                menus::site_id.eq(site_id),
                menus::year.eq(week.year),
                menus::week.eq(week.week as i32),
                menus::status.eq(DRAFT),
                menus::version.eq(1_i64),
                menus::changed_after_publish.eq(false),
                menus::created_at.eq(now),
                menus::updated_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .returning(Menu::as_returning())
            .get_result(c)
            .await
            .optional()
    })?;
    Ok(menu)
}

/// Moves the menu to its next version if it is still at `menu.version`; `false` when another
/// write came first. An edit of a published week marks it changed.
async fn bump(conn: &mut DbConn<'_>, menu: &Menu, status: &str) -> Result<bool, DbError> {
    let now = crate::db::now();
    let publishing = status == PUBLISHED && !menu.is_published();
    let published_at = if status == PUBLISHED {
        if publishing {
            Some(now)
        } else {
            menu.published_at
        }
    } else {
        None
    };
    let changed_after_publish = status == PUBLISHED && !publishing;
    let count = crate::db_run!(conn, |c| {
        crate::db::Cached(
            diesel::update(
                menus::table
                    .filter(menus::id.eq(menu.id))
                    .filter(menus::version.eq(menu.version)),
            )
            .set((
                menus::status.eq(status),
                menus::version.eq(menu.version + 1),
                menus::published_at.eq(published_at),
                menus::changed_after_publish.eq(changed_after_publish),
                menus::updated_at.eq(now),
            )),
        )
        .execute(c)
        .await
    })?;
    Ok(count == 1)
}

/// Replaces every item of the menu; `false` when the menu moved on meanwhile.
pub async fn replace_items(
    conn: &mut DbConn<'_>,
    menu: &Menu,
    items: &[(ItemKey, i64)],
) -> Result<bool, DbError> {
    if !bump(conn, menu, &menu.status).await? {
        return Ok(false);
    }
    write_items(conn, menu.id, items).await?;
    Ok(true)
}

/// Writes the items of a menu created in the same transaction (whose version 1 they are).
pub async fn write_items(
    conn: &mut DbConn<'_>,
    menu_id: i64,
    items: &[(ItemKey, i64)],
) -> Result<(), DbError> {
    let rows: Vec<NewItem<'_>> = items
        .iter()
        .map(|(key, dish_id)| NewItem {
            menu_id,
            day: key.day,
            meal: &key.meal,
            slot: &key.slot,
            dish_id: *dish_id,
        })
        .collect();
    crate::db_run!(conn, |c| {
        diesel::delete(menu_items::table.filter(menu_items::menu_id.eq(menu_id)))
            .execute(c)
            .await?;
        // One statement per item: diesel's multi-row insert for SQLite exists only for its
        // synchronous connection, and a week holds a few dozen items at most.
        for row in &rows {
            diesel::insert_into(menu_items::table)
                .values(row)
                .execute(c)
                .await?;
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(())
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = menu_items)]
struct NewItem<'a> {
    menu_id: i64,
    day: i32,
    meal: &'a str,
    slot: &'a str,
    dish_id: i64,
}

/// Publishes or withdraws the menu; `false` when it moved on meanwhile.
pub async fn set_status(conn: &mut DbConn<'_>, menu: &Menu, status: &str) -> Result<bool, DbError> {
    bump(conn, menu, status).await
}

/// Records that `user_id` read version `version` of the menu; returns the version they had
/// seen before, if any. Writes only when the version differs, so repeated reads stay reads.
pub async fn mark_seen(
    conn: &mut DbConn<'_>,
    menu_id: i64,
    user_id: i64,
    version: i64,
) -> Result<Option<i64>, DbError> {
    let previous = crate::db_run!(conn, |c| {
        menu_receipts::table
            .filter(menu_receipts::menu_id.eq(menu_id))
            .filter(menu_receipts::user_id.eq(user_id))
            .select(menu_receipts::seen_version)
            .first::<i64>(c)
            .await
            .optional()
    })?;
    if previous == Some(version) {
        return Ok(previous);
    }
    let now = crate::db::now();
    crate::db_run!(conn, |c| {
        crate::db::Cached(
            diesel::insert_into(menu_receipts::table)
                .values((
                    menu_receipts::menu_id.eq(menu_id),
                    menu_receipts::user_id.eq(user_id),
                    menu_receipts::seen_version.eq(version),
                    menu_receipts::seen_at.eq(now),
                ))
                .on_conflict((menu_receipts::menu_id, menu_receipts::user_id))
                .do_update()
                .set((
                    menu_receipts::seen_version.eq(version),
                    menu_receipts::seen_at.eq(now),
                )),
        )
        .execute(c)
        .await
    })?;
    Ok(previous)
}
