//! The municipal part of the local demo data: a central kitchen with four departments, five
//! diet types, a dish list, and menus for this week and next (published) and the week after
//! (a draft), so a newcomer's first look shows a working week.

use galley_core::auth::Role;
use galley_core::db::{DbConn, DbError};
use galley_core::kitchen::allergen::{Allergen, to_mask};
use galley_core::kitchen::diets::{self, DietFields};
use galley_core::kitchen::dishes::{self, DishFields};
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::kitchen::menus::{self, ItemKey, PUBLISHED};
use galley_core::module::DemoContext;

use crate::departments::{self, DepartmentFields, setup};
use crate::week::store::{self, WeekState, WeekWrite};

use Allergen::{Eggs, Fish, Gluten, Milk, Mustard};

const MAINS: [(&str, &[Allergen]); 10] = [
    (
        "Köttbullar med potatismos och lingon",
        &[Gluten, Milk, Eggs],
    ),
    ("Fiskgratäng med dillpotatis", &[Fish, Milk]),
    ("Kycklinggryta med ris", &[]),
    ("Ärtsoppa med pannkakor", &[Gluten, Milk, Eggs, Mustard]),
    ("Pytt i panna med rödbetor", &[Eggs]),
    ("Kålpudding med gräddsås", &[Milk, Eggs, Gluten]),
    ("Stekt strömming med potatismos", &[Fish, Gluten, Milk]),
    ("Vegetarisk linsgryta med bulgur", &[Gluten]),
    ("Pannbiff med lök och kokt potatis", &[Gluten, Eggs]),
    ("Laxfilé med äggsås", &[Fish, Eggs, Milk]),
];
const DESSERTS: [(&str, &[Allergen]); 4] = [
    ("Äppelkaka med vaniljsås", &[Gluten, Milk, Eggs]),
    ("Blåbärssoppa", &[]),
    ("Rabarberkräm med mjölk", &[Milk]),
    ("Fruktsallad", &[]),
];
const DINNERS: [(&str, &[Allergen]); 4] = [
    ("Smörgås med ost och skinka", &[Gluten, Milk]),
    ("Gröt med mjölk och sylt", &[Gluten, Milk]),
    ("Omelett med grönsaker", &[Eggs, Milk]),
    ("Potatissallad med kassler", &[Eggs, Mustard]),
];

pub async fn seed(conn: &mut DbConn<'_>, demo: &DemoContext) -> Result<(), DbError> {
    let (tenant, site) = (demo.tenant_id, demo.site_id);
    let mains = add_dishes(conn, tenant, "main", &MAINS).await?;
    let desserts = add_dishes(conn, tenant, "dessert", &DESSERTS).await?;
    let dinners = add_dishes(conn, tenant, "dinner", &DINNERS).await?;

    let mut diet_ids = Vec::new();
    for (name, excludes, texture, always) in [
        ("Glutenfri", vec![Gluten], None, false),
        ("Laktosfri", vec![Milk], None, false),
        ("Timbal", vec![], Some(5), true),
        ("Diabeteskost", vec![], None, false),
        ("Fiskfri", vec![Fish], None, false),
    ] {
        let fields = DietFields {
            name,
            excludes: to_mask(&excludes),
            texture_level: texture,
            always_applies: always,
        };
        diet_ids.push(diets::insert(conn, tenant, site, &fields).await?);
    }

    let mut department_ids = Vec::new();
    for (name, residents, defaults) in [
        ("Avd 1 Björken", 12, vec![(0, 2), (2, 1)]),
        ("Avd 2 Eken", 10, vec![(1, 1), (3, 2)]),
        ("Avd 3 Linden", 9, vec![(4, 1)]),
        ("Avd 4 Lönnen", 14, vec![(0, 1), (1, 2), (2, 2)]),
    ] {
        let fields = DepartmentFields {
            name,
            residents,
            notes: "",
        };
        let id = departments::insert(conn, tenant, site, &fields).await?;
        let counts: Vec<(i64, i32)> = defaults
            .into_iter()
            .map(|(diet, n)| (diet_ids[diet], n))
            .collect();
        setup::replace_diet_defaults(conn, id, &counts).await?;
        department_ids.push(id);
    }
    // Fewer eat in Lönnen at weekends, and fewer still at weekend dinners: a standing schedule.
    setup::replace_standing(
        conn,
        department_ids[3],
        &[
            (1, 14, None),
            (2, 14, None),
            (3, 14, None),
            (4, 14, None),
            (5, 14, None),
            (6, 11, Some(9)),
            (7, 11, Some(9)),
        ],
    )
    .await?;
    for (role, user) in &demo.users {
        if *role == Role::Department {
            departments::bind_user(conn, tenant, *user, Some(department_ids[0])).await?;
        }
    }

    let this_week = IsoWeek::containing(chrono::Utc::now().date_naive());
    for (offset, week) in [this_week, this_week.next(), this_week.next().next()]
        .into_iter()
        .enumerate()
    {
        let Some(menu) = menus::create(conn, tenant, site, week).await? else {
            continue;
        };
        let mut items = Vec::new();
        for day in 1..=7_i32 {
            let n = offset * 7 + day as usize;
            let mut put = |meal: &str, slot: &str, dish: i64| {
                items.push((
                    ItemKey {
                        day,
                        meal: meal.to_owned(),
                        slot: slot.to_owned(),
                    },
                    dish,
                ));
            };
            put("lunch", "alt1", mains[n % mains.len()]);
            if day <= 5 {
                put("lunch", "alt2", mains[(n + 3) % mains.len()]);
            }
            put("lunch", "dessert", desserts[n % desserts.len()]);
            put("dinner", "main", dinners[n % dinners.len()]);
        }
        menus::write_items(conn, menu.id, &items).await?;
        if offset < 2 {
            menus::set_status(conn, &menu, PUBLISHED).await?;
        }
    }

    // Eken chose Alt 2 on Tuesday this week; Björken marked gluten-free lunches.
    let unwritten = |department| WeekState::unwritten(department);
    let at = galley_core::db::now();
    let eken = unwritten(department_ids[1]);
    store::bump(conn, this_week, eken, eken.after(WeekWrite::Choices, at)).await?;
    store::set_choice(conn, department_ids[1], this_week, 2, "alt2", None).await?;
    let bjorken = unwritten(department_ids[0]);
    store::bump(
        conn,
        this_week,
        bjorken,
        bjorken.after(WeekWrite::Marks, at),
    )
    .await?;
    for day in 1..=5 {
        store::set_mark(
            conn,
            department_ids[0],
            this_week,
            day,
            "lunch",
            diet_ids[0],
            true,
        )
        .await?;
    }
    Ok(())
}

async fn add_dishes(
    conn: &mut DbConn<'_>,
    tenant: i64,
    category: &str,
    list: &[(&str, &[Allergen])],
) -> Result<Vec<i64>, DbError> {
    let mut ids = Vec::with_capacity(list.len());
    for (name, allergens) in list {
        let fields = DishFields {
            name,
            category,
            allergens: to_mask(allergens),
            allergens_stated: true,
        };
        ids.push(dishes::insert(conn, tenant, &fields).await?);
    }
    Ok(ids)
}
