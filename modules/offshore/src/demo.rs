//! The offshore part of the local demo data: a rig galley ("Troll A bysse", Europe/Oslo, in
//! Norwegian) with its rota settings, a 2-4 rotation for six cooks and a day rotation for three
//! stewards, a published schedule around today, a draft month after it, and two months of
//! waste history; and a galley cook's login linked to the crew, so a newcomer sees every
//! offshore page filled.

use chrono::{Datelike, Duration, NaiveDate};
use galley_core::auth::Role;
use galley_core::db::{DbConn, DbError};
use galley_core::module::DemoContext;
use galley_core::people::accounts::DEMO_DOMAIN;
use galley_core::people::{sites, users};
use galley_core::web::lang::Lang;

use crate::rota::crew::{self, CrewFields};
use crate::rota::patterns::{self, PatternFields};
use crate::rota::settings::{self, RotaSettings};
use crate::rota::shifts;
use crate::rotation::coverage::Cover;
use crate::rotation::generate::{Assignment, generate};
use crate::rotation::pattern::{DayKind, Segment, Template};
use crate::rotation::position::Position;
use crate::waste::entry::WasteInput;
use crate::waste::store::{self as waste_store, Owner};
use crate::waste::{Category, Meal};

/// The galley cook's login (`kokk@demo.galley.test`), linked to Kari in the crew.
pub const LOGINS: &[(Role, &str)] = &[(Role::Cook, "kokk")];

pub async fn seed(conn: &mut DbConn<'_>, demo: &DemoContext) -> Result<(), DbError> {
    let tenant = demo.tenant_id;
    let site = sites::insert(conn, tenant, "Troll A bysse", "Europe/Oslo").await?;
    sites::set_language(conn, site, Lang::Nb).await?;
    // The rig's galley runs this module, not the care homes' one: its people see theirs.
    galley_core::flags::choose_for_site(conn, "offshore", site, true, "demo").await?;
    galley_core::flags::choose_for_site(conn, "municipal", site, false, "demo").await?;
    let zone = chrono_tz::Europe::Oslo;
    let today = chrono::Utc::now().with_timezone(&zone).date_naive();

    let defaults = RotaSettings::defaults(site);
    let cover = |position, kind| Cover {
        position,
        kind,
        count: 1,
    };
    let wanted = RotaSettings {
        cover: vec![
            cover(Position::Cook, DayKind::Day),
            cover(Position::Cook, DayKind::Night),
            cover(Position::Steward, DayKind::Day),
        ],
        ..defaults.clone()
    };
    settings::save(conn, tenant, &defaults, &wanted).await?;

    // Patterns start on a Monday a few weeks back, so today is mid-rotation.
    let anchor = today - Duration::days(i64::from(today.weekday().num_days_from_monday()) + 28);
    let two_four = patterns::insert(
        conn,
        tenant,
        site,
        &PatternFields {
            name: "2-4",
            segments: &Template::TwoFour.segments(),
            anchor_date: anchor,
        },
    )
    .await?;
    let day_rotation = [
        Segment {
            kind: DayKind::Day,
            days: 14,
        },
        Segment {
            kind: DayKind::Off,
            days: 28,
        },
    ];
    let days_only = patterns::insert(
        conn,
        tenant,
        site,
        &PatternFields {
            name: "Dagturnus 14/28",
            segments: &day_rotation,
            anchor_date: anchor,
        },
    )
    .await?;

    let cook_user = users::insert(
        conn,
        &users::NewUser {
            tenant_id: Some(tenant),
            site_id: Some(site),
            email: &format!("{}@{DEMO_DOMAIN}", LOGINS[0].1),
            display_name: "Kari Nordmann",
            role: Role::Cook,
            password_hash: &demo.password_hash,
        },
    )
    .await?;
    let people: [(&str, Position, i64, i32, Option<i64>); 9] = [
        (
            "Kari Nordmann",
            Position::Cook,
            two_four,
            0,
            Some(cook_user),
        ),
        ("Ola Hansen", Position::Cook, two_four, 7, None),
        ("Nils Berg", Position::Cook, two_four, 14, None),
        ("Ingrid Dahl", Position::Cook, two_four, 21, None),
        ("Sverre Lunde", Position::Cook, two_four, 28, None),
        ("Marit Solberg", Position::Cook, two_four, 35, None),
        ("Per Johansen", Position::Steward, days_only, 0, None),
        ("Liv Andersen", Position::Steward, days_only, 14, None),
        ("Arne Haugen", Position::Steward, days_only, 28, None),
    ];
    let (two_four_pattern, day_pattern) = (Template::TwoFour.pattern(), {
        match crate::rotation::pattern::Pattern::new(day_rotation.to_vec()) {
            Ok(pattern) => pattern,
            Err(_) => return Ok(()),
        }
    });
    let mut assignments = Vec::new();
    for (name, position, pattern, offset, user_id) in people {
        let id = crew::insert(
            conn,
            tenant,
            site,
            &CrewFields {
                name,
                position,
                user_id,
                pattern_id: Some(pattern),
                start_offset_days: offset,
            },
        )
        .await?;
        assignments.push(Assignment {
            crew_id: id,
            position,
            pattern: if pattern == two_four {
                &two_four_pattern
            } else {
                &day_pattern
            },
            start: anchor + Duration::days(i64::from(offset)),
        });
    }
    // Last month to the end of next month; published up to the end of this month.
    let first = (today - Duration::days(31)).with_day(1).unwrap_or(today);
    let this_month_end = (first + chrono::Months::new(2)).pred_opt().unwrap_or(today);
    let last = (first + chrono::Months::new(3)).pred_opt().unwrap_or(today);
    let planned = generate(&assignments, first, last, zone, &wanted.times);
    let crew_ids: Vec<i64> = assignments.iter().map(|a| a.crew_id).collect();
    shifts::replace(conn, tenant, site, &crew_ids, (first, last), &planned).await?;
    shifts::publish(conn, site, first, this_month_end).await?;

    waste_store::insert_all(
        conn,
        Owner {
            tenant_id: tenant,
            site_id: site,
            created_by: Some(cook_user),
        },
        &waste_history(today),
    )
    .await?;
    let authors = crate::demo_day::Authors {
        admin: demo
            .users
            .iter()
            .find(|(role, _)| *role == Role::Admin)
            .map(|(_, id)| *id),
        cook: cook_user,
    };
    crate::demo_day::seed(conn, (tenant, site), today, &authors).await?;
    crate::demo_galley::seed(conn, (tenant, site), today, cook_user).await?;
    // Last: recipes for the rig's dishes, made by name when no other seeder made them.
    crate::demo_recipes::seed(conn, tenant).await?;
    Ok(())
}

/// Sixty days of dinners: fish, meat and soup for 38 to 52 guests, with leftovers that vary
/// the way a real galley's do (a fixed pattern, so the demo looks the same every time).
fn waste_history(today: NaiveDate) -> Vec<WasteInput> {
    let categories = [
        (Category::Fish, "Ovnsbakt torsk", 420),
        (Category::Meat, "Lammestek", 450),
        (Category::Soup, "Fiskesuppe", 380),
        (Category::Vegetarian, "Grønnsakslasagne", 400),
    ];
    (1..=60)
        .map(|back| {
            let date = today - Duration::days(back);
            let (category, dish, grams) = categories[back as usize % categories.len()];
            let guests = 38 + (back * 7 % 15) as u32;
            let served_per_guest = grams - 40 + (back * 13 % 60);
            let served_g = i64::from(guests) * served_per_guest;
            let leftover_g = served_g * (4 + back * 3 % 9) / 100;
            WasteInput {
                date,
                meal: Meal::Dinner,
                category,
                dish: Some(dish.to_owned()),
                guests,
                produced_g: served_g + leftover_g,
                served_g,
                leftover_g,
            }
        })
        .collect()
}
