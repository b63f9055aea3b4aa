//! The demo galley's menu cycle and the rest of its waste log: a 4-week cycle whose week 1
//! is the current ISO week, each cycle week a template of soup, fish, meat, vegetarian and
//! dessert at dinner, soup at lunch and a night meal, from dishes found or made by name; and
//! three weeks of lunch and night-meal waste beside the dinners `demo` logs, so the waste
//! page's day summary has every meal.

use chrono::{Duration, NaiveDate};
use galley_core::db::{DbConn, DbError};
use galley_core::kitchen::dishes::{self, DishFields};
use galley_core::kitchen::iso_week::IsoWeek;

use crate::cycle::store::{self as cycle_store, Cycle, TemplateItem};
use crate::waste::entry::WasteInput;
use crate::waste::store::{self as waste_store, Owner};
use crate::waste::{Category, Meal};

/// Dishes per cycle week: lunch soup, then dinner soup, fish, meat, vegetarian, dessert, then
/// the night meal. Names other helpers' demo data finds by exact name are among them.
const WEEKS: [[(&str, &str); 7]; 4] = [
    [
        ("Fiskesuppe", "soup"),
        ("Blomkålsuppe", "soup"),
        ("Ovnsbakt laks", "fish"),
        ("Kjøttkaker med brun saus", "meat"),
        ("Grønnsakslasagne", "vegetarian"),
        ("Karamellpudding", "dessert"),
        ("Pizza", "night_meal"),
    ],
    [
        ("Tomatsuppe", "soup"),
        ("Fiskesuppe", "soup"),
        ("Ovnsbakt torsk", "fish"),
        ("Lammestek", "meat"),
        ("Linsegryte", "vegetarian"),
        ("Riskrem", "dessert"),
        ("Lapskaus", "night_meal"),
    ],
    [
        ("Ertesuppe", "soup"),
        ("Blomkålsuppe", "soup"),
        ("Sei i form", "fish"),
        ("Kjøttkaker med brun saus", "meat"),
        ("Grønnsakslasagne", "vegetarian"),
        ("Sjokoladekake", "dessert"),
        ("Pizza", "night_meal"),
    ],
    [
        ("Fiskesuppe", "soup"),
        ("Tomatsuppe", "soup"),
        ("Ovnsbakt laks", "fish"),
        ("Svinestek", "meat"),
        ("Linsegryte", "vegetarian"),
        ("Karamellpudding", "dessert"),
        ("Lapskaus", "night_meal"),
    ],
];

/// The tenant's live dish of this name, made (allergens not stated) when there is none.
async fn dish(
    conn: &mut DbConn<'_>,
    tenant: i64,
    name: &str,
    category: &str,
) -> Result<i64, DbError> {
    if let Some(found) = dishes::find_by_name(conn, tenant, name, None).await? {
        return Ok(found.id);
    }
    dishes::insert(
        conn,
        tenant,
        &DishFields {
            name,
            category,
            allergens: 0,
            allergens_stated: false,
        },
    )
    .await
}

pub async fn seed(
    conn: &mut DbConn<'_>,
    (tenant, site): (i64, i64),
    today: NaiveDate,
    cook: i64,
) -> Result<(), DbError> {
    let cycle = Cycle {
        site_id: site,
        length: 4,
        start: IsoWeek::containing(today),
        start_index: 1,
        version: 0,
    };
    cycle_store::save(conn, tenant, 0, &cycle).await?;
    for (index, week) in (1..).zip(WEEKS) {
        let mut ids = Vec::new();
        for (name, category) in week {
            ids.push(dish(conn, tenant, name, category).await?);
        }
        let mut items = Vec::new();
        for day in 1..=7 {
            let mut put = |meal: &str, slot: &str, dish_id: i64| {
                items.push(TemplateItem {
                    day,
                    meal: meal.to_owned(),
                    slot: slot.to_owned(),
                    dish_id,
                });
            };
            put("lunch", "soup", ids[0]);
            put("dinner", "soup", ids[1]);
            put("dinner", "fish", ids[2]);
            put("dinner", "meat", ids[3]);
            put("dinner", "vegetarian", ids[4]);
            put("dinner", "dessert", ids[5]);
            put("night", "night_meal", ids[6]);
        }
        items.sort();
        cycle_store::save_week(conn, site, index, 0, &items).await?;
    }
    waste_store::insert_all(
        conn,
        Owner {
            tenant_id: tenant,
            site_id: site,
            created_by: Some(cook),
        },
        &lunches_and_nights(today),
    )
    .await
}

/// Three weeks of lunch soup and night meals, up to yesterday, in a fixed pattern.
fn lunches_and_nights(today: NaiveDate) -> Vec<WasteInput> {
    let mut rows = Vec::new();
    for back in 1..=21_i64 {
        let date = today - Duration::days(back);
        let guests = 34 + (back * 5 % 11) as u32;
        let soup_served = i64::from(guests) * (300 + back * 11 % 70);
        let soup_left = soup_served * (3 + back * 7 % 12) / 100;
        rows.push(WasteInput {
            date,
            meal: Meal::Lunch,
            category: Category::Soup,
            dish: Some("Fiskesuppe".to_owned()),
            guests,
            produced_g: soup_served + soup_left,
            served_g: soup_served,
            leftover_g: soup_left,
        });
        let night_guests = 9 + (back * 3 % 6) as u32;
        let night_served = i64::from(night_guests) * (350 + back * 17 % 90);
        let night_left = night_served * (8 + back * 5 % 15) / 100;
        rows.push(WasteInput {
            date,
            meal: Meal::Night,
            category: Category::NightMeal,
            dish: Some("Pizza".to_owned()),
            guests: night_guests,
            produced_g: night_served + night_left,
            served_g: night_served,
            leftover_g: night_left,
        });
    }
    rows
}
