//! A municipal week's publishing pre-flight: dishes whose allergens nobody stated (the
//! departments could not see what their diets exclude), days without Alt 2 where the
//! kitchen's settings offer Alt 2, and days with an empty Alt 1, dessert or dinner. The cook
//! sees them and confirms; nothing here forbids publishing. Only a week with an Alt 1 or Alt 2
//! dish is a municipal week; other modules' menus on the same site get no findings here.

use std::collections::BTreeSet;

use galley_core::db::{DbConn, DbError};
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::kitchen::menus::MenuItem;
use galley_core::kitchen::preflight::PublishFinding;

use crate::settings;

/// Slots a municipal day is expected to fill, besides Alt 2 (which the settings decide).
const EXPECTED: [(&str, &str); 3] = [("lunch", "alt1"), ("lunch", "dessert"), ("dinner", "main")];

const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn day_name(day: i32) -> &'static str {
    usize::try_from(day - 1)
        .ok()
        .and_then(|i| DAY_NAMES.get(i))
        .copied()
        .unwrap_or("?")
}

fn slot_words(meal: &str, slot: &str) -> &'static str {
    match (meal, slot) {
        ("lunch", "alt1") => "Alt 1",
        ("lunch", "alt2") => "Alt 2",
        ("lunch", "dessert") => "the dessert",
        ("dinner", "main") => "dinner",
        _ => "a slot",
    }
}

/// The findings of the week's items, by day: allergens first, then Alt 2, then empty slots.
pub async fn findings(
    conn: &mut DbConn<'_>,
    site_id: i64,
    _week: IsoWeek,
    items: &[MenuItem],
) -> Result<Vec<PublishFinding>, DbError> {
    // A site may run other modules' menus too (an offshore galley's soup, fish, ...): only a
    // week with a municipal alternative is a municipal week.
    let municipal = items
        .iter()
        .any(|i| i.meal == "lunch" && (i.slot == "alt1" || i.slot == "alt2"));
    if !municipal {
        return Ok(Vec::new());
    }
    let settings = settings::load(conn, site_id).await?;
    let filled: BTreeSet<(i32, &str, &str)> = items
        .iter()
        .map(|i| (i.day, i.meal.as_str(), i.slot.as_str()))
        .collect();
    let mut found = Vec::new();
    for day in 1..=7 {
        for item in items.iter().filter(|i| i.day == day && !i.allergens_stated) {
            found.push(PublishFinding {
                code: "allergens_not_stated",
                day: Some(day),
                meal: Some(item.meal.clone()),
                slot: Some(item.slot.clone()),
                dish_id: Some(item.dish_id),
                dish_name: Some(item.dish_name.clone()),
                reason: format!(
                    "{}: nobody has stated the allergens of {} ({})",
                    day_name(day),
                    item.dish_name,
                    slot_words(&item.meal, &item.slot)
                ),
            });
        }
        let alt2_offered = settings.alt2_allowed_on(day as u32);
        if alt2_offered && !filled.contains(&(day, "lunch", "alt2")) {
            found.push(PublishFinding {
                code: "alt2_missing",
                day: Some(day),
                meal: Some("lunch".into()),
                slot: Some("alt2".into()),
                dish_id: None,
                dish_name: None,
                reason: format!(
                    "{}: no Alt 2, although the kitchen's settings offer Alt 2 that day",
                    day_name(day)
                ),
            });
        }
        for (meal, slot) in EXPECTED {
            if !filled.contains(&(day, meal, slot)) {
                found.push(PublishFinding {
                    code: "slot_empty",
                    day: Some(day),
                    meal: Some(meal.into()),
                    slot: Some(slot.into()),
                    dish_id: None,
                    dish_name: None,
                    reason: format!("{}: {} is empty", day_name(day), slot_words(meal, slot)),
                });
            }
        }
    }
    Ok(found)
}
