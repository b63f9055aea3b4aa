//! A parsed menu file matched against the site's menus and the tenant's dishes: per row whether
//! it fills an empty slot, changes a slot's dish or leaves it as it is; per week what happens to
//! the menu; and which dishes are new. [`prepare`] only reads; [`write`] makes it so, inside
//! the caller's transaction.
//!
//! An import merges: the slots the file names are set, the slots it does not name keep their
//! dishes (a file with only the week's desserts leaves the lunches alone). A dish is matched by
//! its folded name ([`dishes::name_key`]); an unknown one is created with the category of its
//! slot (`dessert` for the dessert, `main` otherwise) and no allergens, and the report lists it
//! so the kitchen can add them. Weeks whose slots all stay the same are not written at all: the
//! same file imported twice changes nothing the second time, not even a version.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use galley_core::audit::{self, Entry};
use galley_core::auth::Caller;
use galley_core::db::{DbConn, DbError};
use galley_core::http::AppError;
use galley_core::kitchen::dishes::{self, DishFields};
use galley_core::kitchen::iso_week::{IsoWeek, WeekError};
use galley_core::kitchen::menu_api::menu_etag;
use galley_core::kitchen::menus::{self, ItemKey, Menu};
use galley_core::schema::dishes as dishes_table;
use serde::Serialize;
use serde_json::json;

use super::model::{ImportError, ImportField, ImportRow, ImportSlot, Parsed, RowProblem};

/// What a row does to its menu slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    /// The slot was empty (or the week had no menu yet).
    Created,
    /// The slot held another dish (`previous_dish`).
    Changed,
    /// The slot already holds this dish.
    Unchanged,
}

/// A dish as the report names it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DishRef {
    pub id: i64,
    pub name: String,
}

/// One row of the file and what it does.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowPlan {
    /// The row or line of the file (see the import's line numbering).
    pub line: usize,
    pub year: i32,
    pub week: u32,
    /// 1 = Monday ... 7 = Sunday.
    pub day: u32,
    pub date: NaiveDate,
    /// `lunch` or `dinner`.
    pub meal: String,
    /// `alt1`, `alt2`, `dessert` (lunch) or `main` (dinner).
    pub slot: String,
    /// The dish as the file wrote it.
    pub dish: String,
    /// The tenant's dish it names; none for a new dish until the import is applied.
    pub dish_id: Option<i64>,
    /// No dish of that name existed: the import creates it (without allergens).
    pub new_dish: bool,
    pub outcome: RowOutcome,
    /// For `changed`: the dish the slot held.
    pub previous_dish: Option<DishRef>,
    #[serde(skip)]
    target: Target,
}

/// What happens to one week's menu.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ImportWeekPlan)]
pub struct WeekPlan {
    pub year: i32,
    pub week: u32,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// The week had a menu before the import.
    pub exists: bool,
    /// `draft` or `published` (after an applied import: as it is now).
    pub status: String,
    /// The week is published and the import changes it: departments will see it marked as
    /// changed after publishing.
    pub marks_changed: bool,
    /// As it is (after an applied import: as it is now).
    pub changed_after_publish: bool,
    /// The menu's version and ETag: before the import on a dry run, after it when applied.
    pub version: i64,
    pub etag: String,
    pub created: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// The import wrote this week (false on a dry run, and for a week with nothing to change).
    pub written: bool,
}

/// A dish the import creates.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NewDishPlan {
    pub name: String,
    /// `main`, or `dessert` for a dish first seen as a dessert.
    pub category: String,
    /// The rows that name it.
    pub lines: Vec<usize>,
    /// Its id, once the import is applied.
    pub id: Option<i64>,
}

/// A file matched against the database: everything a dry run shows, and what [`write`] needs.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// In file order.
    pub rows: Vec<RowPlan>,
    /// By week.
    pub weeks: Vec<WeekPlan>,
    pub new_dishes: Vec<NewDishPlan>,
    /// The parser's errors and the importer's (weeks that do not exist), by line.
    pub errors: Vec<ImportError>,
    work: Vec<WeekWork>,
}

#[derive(Debug, Clone)]
struct WeekWork {
    week: IsoWeek,
    menu: Option<Menu>,
    current: BTreeMap<ItemKey, i64>,
    wanted: Vec<(ItemKey, Target)>,
}

/// The dish a row puts in its slot: one the tenant has, or the n-th new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Dish(i64),
    New(usize),
}

/// The category an imported dish gets from the slot it first appears in.
pub fn category_of(slot: ImportSlot) -> &'static str {
    match slot {
        ImportSlot::Dessert => "dessert",
        ImportSlot::Alt1 | ImportSlot::Alt2 | ImportSlot::Dinner => "main",
    }
}

/// Matches the file against the site's menus and the tenant's dishes. Reads only.
pub async fn prepare(
    conn: &mut DbConn<'_>,
    tenant: i64,
    site_id: i64,
    parsed: Parsed,
) -> Result<Prepared, DbError> {
    let mut errors = parsed.errors;
    let mut by_week: BTreeMap<IsoWeek, Vec<ImportRow>> = BTreeMap::new();
    for row in parsed.rows {
        match IsoWeek::new(row.year, row.week) {
            Ok(week) => by_week.entry(week).or_default().push(row),
            Err(error) => {
                let problem = match error {
                    WeekError::OutOfRange { year, max } => RowProblem::WeekNotInYear {
                        week: row.week,
                        year,
                        weeks: max,
                    },
                    WeekError::Year => RowProblem::YearOutOfRange { year: row.year },
                };
                errors
                    .push(ImportError::new(row.line, ImportField::Week, problem).in_cell(row.cell));
            }
        }
    }
    errors.sort_by_key(|error| error.line);

    let keys: BTreeSet<String> = by_week
        .values()
        .flatten()
        .map(|row| dishes::name_key(&row.dish))
        .collect();
    let known = dishes_named(conn, tenant, &keys).await?;
    let existing = existing_menus(conn, site_id, by_week.keys().copied()).await?;

    let mut prepared = Prepared {
        rows: Vec::new(),
        weeks: Vec::new(),
        new_dishes: Vec::new(),
        errors,
        work: Vec::new(),
    };
    let mut new_by_key: HashMap<String, usize> = HashMap::new();
    for (week, rows) in by_week {
        let (menu, current) = existing.get(&week).cloned().unwrap_or_default();
        let mut counts = [0_usize; 3];
        let mut wanted = Vec::with_capacity(rows.len());
        for row in rows {
            let (meal, slot) = row.slot.meal_and_slot();
            let key = ItemKey {
                day: row.day as i32,
                meal: meal.to_owned(),
                slot: slot.to_owned(),
            };
            let name_key = dishes::name_key(&row.dish);
            let target = match known.get(&name_key) {
                Some(dish) => Target::Dish(dish.id),
                None => {
                    let index = *new_by_key.entry(name_key).or_insert_with(|| {
                        prepared.new_dishes.push(NewDishPlan {
                            name: row.dish.clone(),
                            category: category_of(row.slot).to_owned(),
                            lines: Vec::new(),
                            id: None,
                        });
                        prepared.new_dishes.len() - 1
                    });
                    prepared.new_dishes[index].lines.push(row.line);
                    Target::New(index)
                }
            };
            let previous = current.get(&key);
            let outcome = match (previous, target) {
                (None, _) => RowOutcome::Created,
                (Some((id, _)), Target::Dish(dish)) if *id == dish => RowOutcome::Unchanged,
                (Some(_), _) => RowOutcome::Changed,
            };
            counts[outcome as usize] += 1;
            prepared.rows.push(RowPlan {
                line: row.line,
                year: week.year,
                week: week.week,
                day: row.day,
                date: week.day(row.day).unwrap_or_else(|| week.monday()),
                meal: key.meal.clone(),
                slot: key.slot.clone(),
                dish: row.dish,
                dish_id: match target {
                    Target::Dish(id) => Some(id),
                    Target::New(_) => None,
                },
                new_dish: matches!(target, Target::New(_)),
                outcome,
                previous_dish: previous.filter(|_| outcome == RowOutcome::Changed).map(
                    |(id, name)| DishRef {
                        id: *id,
                        name: name.clone(),
                    },
                ),
                target,
            });
            wanted.push((key, target));
        }
        let [created, changed, unchanged] = counts;
        prepared.weeks.push(week_plan(
            site_id,
            week,
            menu.as_ref(),
            [created, changed, unchanged],
        ));
        prepared.work.push(WeekWork {
            week,
            menu,
            current: current.into_iter().map(|(k, (id, _))| (k, id)).collect(),
            wanted,
        });
    }
    prepared.rows.sort_by_key(|row| row.line);
    Ok(prepared)
}

fn week_plan(site_id: i64, week: IsoWeek, menu: Option<&Menu>, counts: [usize; 3]) -> WeekPlan {
    let [created, changed, unchanged] = counts;
    let published = menu.is_some_and(Menu::is_published);
    let version = menu.map_or(0, |m| m.version);
    WeekPlan {
        year: week.year,
        week: week.week,
        first_day: week.monday(),
        last_day: week.monday() + chrono::Duration::days(6),
        exists: menu.is_some(),
        status: menu.map_or(menus::DRAFT, |m| m.status.as_str()).to_owned(),
        marks_changed: published && created + changed > 0,
        changed_after_publish: menu.is_some_and(|m| m.changed_after_publish),
        version,
        etag: menu_etag(site_id, week, version),
        created,
        changed,
        unchanged,
        written: false,
    }
}

/// The tenant's live dishes with these folded names, by folded name.
async fn dishes_named(
    conn: &mut DbConn<'_>,
    tenant: i64,
    keys: &BTreeSet<String>,
) -> Result<HashMap<String, DishRef>, DbError> {
    let keys: Vec<&String> = keys.iter().collect();
    let mut found = HashMap::new();
    // Bounded batches keep SQLite under its limit of bound parameters.
    for batch in keys.chunks(500) {
        let rows: Vec<(i64, String, String)> = galley_core::db_run!(conn, |c| {
            dishes_table::table
                .filter(dishes_table::tenant_id.eq(tenant))
                .filter(dishes_table::deleted_at.is_null())
                .filter(dishes_table::name_key.eq_any(batch))
                .select((dishes_table::id, dishes_table::name, dishes_table::name_key))
                .load(c)
                .await
        })?;
        found.extend(
            rows.into_iter()
                .map(|(id, name, key)| (key, DishRef { id, name })),
        );
    }
    Ok(found)
}

type Slots = BTreeMap<ItemKey, (i64, String)>;

/// The weeks' menus that exist, each with its items (dish id and name by slot).
async fn existing_menus(
    conn: &mut DbConn<'_>,
    site_id: i64,
    weeks: impl Iterator<Item = IsoWeek>,
) -> Result<HashMap<IsoWeek, (Option<Menu>, Slots)>, DbError> {
    let mut found = HashMap::new();
    let mut by_id = HashMap::new();
    for week in weeks {
        if let Some(menu) = menus::find(conn, site_id, week).await? {
            by_id.insert(menu.id, week);
            found.insert(week, (Some(menu), Slots::new()));
        }
    }
    let ids: Vec<i64> = by_id.keys().copied().collect();
    for item in menus::items(conn, &ids).await? {
        let Some(week) = by_id.get(&item.menu_id) else {
            continue;
        };
        if let Some((_, slots)) = found.get_mut(week) {
            slots.insert(
                ItemKey {
                    day: item.day,
                    meal: item.meal,
                    slot: item.slot,
                },
                (item.dish_id, item.dish_name),
            );
        }
    }
    Ok(found)
}

/// Creates the new dishes and writes every week that changes, with their audit rows. Call it
/// inside a transaction on a [`Prepared`] without errors, read on the same transaction: a
/// menu that moved on meanwhile fails the whole import with a conflict.
pub async fn write(
    tx: &mut DbConn<'_>,
    caller: &Caller,
    tenant: i64,
    site_id: i64,
    prepared: &mut Prepared,
) -> Result<(), AppError> {
    let mut new_ids = Vec::with_capacity(prepared.new_dishes.len());
    for dish in &mut prepared.new_dishes {
        let fields = DishFields {
            name: &dish.name,
            category: &dish.category,
            allergens: 0,
            allergens_stated: false,
        };
        let id = dishes::insert(tx, tenant, &fields).await?;
        audit::record(
            tx,
            Entry::new("dish.created", caller.actor(), Some(tenant))
                .target("dish", id)
                .details(json!({
                    "name": dish.name, "category": dish.category, "allergens": [],
                    "source": "menu import",
                })),
        )
        .await?;
        dish.id = Some(id);
        new_ids.push(id);
    }
    let dish_of = |target: Target| match target {
        Target::Dish(id) => id,
        Target::New(index) => new_ids[index],
    };
    for row in &mut prepared.rows {
        row.dish_id = Some(dish_of(row.target));
    }
    for (work, plan) in prepared.work.iter().zip(prepared.weeks.iter_mut()) {
        if plan.created + plan.changed == 0 {
            continue;
        }
        let mut items = work.current.clone();
        for (key, target) in &work.wanted {
            items.insert(key.clone(), dish_of(*target));
        }
        let items: Vec<(ItemKey, i64)> = items.into_iter().collect();
        let menu_id = match &work.menu {
            Some(menu) => {
                if !menus::replace_items(tx, menu, &items).await? {
                    return Err(raced(work.week));
                }
                menu.id
            }
            None => {
                let Some(menu) = menus::create(tx, tenant, site_id, work.week).await? else {
                    return Err(raced(work.week));
                };
                menus::write_items(tx, menu.id, &items).await?;
                menu.id
            }
        };
        audit::record(
            tx,
            Entry::new("menu.imported", caller.actor(), Some(tenant))
                .target("menu", menu_id)
                .details(json!({
                    "site_id": site_id, "year": work.week.year, "week": work.week.week,
                    "published": plan.status == menus::PUBLISHED,
                    "created": plan.created, "changed": plan.changed, "unchanged": plan.unchanged,
                    "items_after": items.len(),
                })),
        )
        .await?;
        plan.written = true;
    }
    Ok(())
}

fn raced(week: IsoWeek) -> AppError {
    AppError::Conflict(format!(
        "the menu of week {} {} changed while the import ran; nothing was imported, run it again",
        week.week, week.year
    ))
}

/// After [`write`] has committed: each week's menu as it is now (version, ETag, status).
pub async fn refresh(
    conn: &mut DbConn<'_>,
    site_id: i64,
    prepared: &mut Prepared,
) -> Result<(), DbError> {
    for (work, plan) in prepared.work.iter().zip(prepared.weeks.iter_mut()) {
        let menu = menus::find(conn, site_id, work.week).await?;
        let marks_changed = plan.marks_changed;
        let written = plan.written;
        *plan = week_plan(
            site_id,
            work.week,
            menu.as_ref(),
            [plan.created, plan.changed, plan.unchanged],
        );
        plan.exists = work.menu.is_some();
        plan.marks_changed = marks_changed;
        plan.written = written;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_indexes_follow_the_counts_order() {
        assert_eq!(RowOutcome::Created as usize, 0);
        assert_eq!(RowOutcome::Changed as usize, 1);
        assert_eq!(RowOutcome::Unchanged as usize, 2);
    }

    #[test]
    fn new_dishes_take_their_category_from_the_slot() {
        assert_eq!(category_of(ImportSlot::Dessert), "dessert");
        assert_eq!(category_of(ImportSlot::Alt1), "main");
        assert_eq!(category_of(ImportSlot::Alt2), "main");
        assert_eq!(category_of(ImportSlot::Dinner), "main");
    }
}
