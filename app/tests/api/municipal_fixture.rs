//! A municipal kitchen to test against: one site with three departments, three diet types,
//! six dishes, people of every role (two of them department staff) and, for the week asked
//! for, a published menu with Alt 1, Alt 2 (weekdays only), dessert and dinner.

use galley_core::auth::{Role, password};
use galley_core::kitchen::allergen::{Allergen, to_mask};
use galley_core::kitchen::diets::{self as diet_types, DietFields};
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::people::{sites, tenants, users};
use galley_municipal::departments::{self, DepartmentFields, setup};
use serde_json::json;

use crate::client::Client;
use crate::harness::TestApp;

pub const PASSWORD: &str = crate::auth::PASSWORD;

pub struct Kitchen<'a> {
    pub tenant: i64,
    pub site: i64,
    pub admin: Client<'a>,
    pub cook: Client<'a>,
    pub viewer: Client<'a>,
    /// Staff of `departments[0]` and `departments[1]`.
    pub department_staff: [Client<'a>; 2],
    /// Björken (12 residents: 2 gluten-free, 1 timbal), Eken (10: 1 lactose-free),
    /// Linden (8, no special diets); in that order.
    pub departments: [i64; 3],
    /// Glutenfri (excludes gluten), Laktosfri (excludes milk), Timbal (always applies).
    pub diets: [i64; 3],
    /// Köttbullar (gluten, milk, eggs), Fiskgratäng (fish, milk), Kycklinggryta (none),
    /// Pannkakor (gluten, milk, eggs), Äppelkaka (gluten, milk, eggs), Blåbärssoppa (none).
    pub dishes: [i64; 6],
    pub week: IsoWeek,
}

impl Kitchen<'_> {
    pub fn menu_path(&self) -> String {
        format!(
            "/api/v1/sites/{}/menus/{}/{}",
            self.site, self.week.year, self.week.week
        )
    }

    /// Changes the week's menu as a cook would over the API: the items as `PUT` takes them
    /// (`day`, `meal`, `slot`, `dish_id`), edited by `edit`, sent with `If-Match`.
    pub async fn edit_menu(&self, edit: impl FnOnce(&mut Vec<serde_json::Value>)) {
        let menu = self.cook.get(&self.menu_path()).await;
        let mut items: Vec<serde_json::Value> = menu.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| json!({ "day": i["day"], "meal": i["meal"], "slot": i["slot"], "dish_id": i["dish"]["id"] }))
            .collect();
        edit(&mut items);
        let saved = self
            .cook
            .send(
                axum::http::Method::PUT,
                &self.menu_path(),
                Some(menu.header("etag")),
                Some(json!({ "items": items })),
            )
            .await;
        assert_eq!(saved.status, 200, "{}", saved.text());
    }

    pub fn week_path(&self, department: usize) -> String {
        format!(
            "/api/v1/municipal/departments/{}/weeks/{}/{}",
            self.departments[department], self.week.year, self.week.week
        )
    }
}

/// A week whose choices are still open under the default deadline (Thursday noon the week
/// before): three weeks from now.
pub fn open_week() -> IsoWeek {
    IsoWeek::containing(kitchen_today() + chrono::Duration::days(21))
}

/// A week whose deadline has passed: last week.
pub fn closed_week() -> IsoWeek {
    IsoWeek::containing(kitchen_today() - chrono::Duration::days(7))
}

/// Today where the fixture's kitchens are: from 23:00 UTC on a Sunday it is already Monday
/// there, and "last week" by the UTC date would be the week before last.
fn kitchen_today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .date_naive()
}

/// Sets up the kitchen with a published menu for `week`. `name` keeps tenants apart when a
/// test makes two kitchens.
pub async fn kitchen<'a>(app: &'a TestApp, name: &str, week: IsoWeek) -> Kitchen<'a> {
    let hash = password::hash(PASSWORD.into()).await.unwrap();
    let mut pooled = app.app.state.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    let slug = name.to_lowercase().replace(' ', "-");
    let tenant = tenants::insert(conn, name, "municipal").await.unwrap();
    let site = sites::insert(
        conn,
        tenant,
        &format!("{name} centralkök"),
        "Europe/Stockholm",
    )
    .await
    .unwrap();
    let mut emails = Vec::new();
    for role in [
        Role::Admin,
        Role::Cook,
        Role::Viewer,
        Role::Department,
        Role::Department,
    ] {
        let email = format!("{}-{}-{slug}@example.se", role.as_str(), emails.len());
        let id = users::insert(
            conn,
            &users::NewUser {
                tenant_id: Some(tenant),
                site_id: Some(site),
                email: &email,
                display_name: role.as_str(),
                role,
                password_hash: &hash,
            },
        )
        .await
        .unwrap();
        emails.push((id, email));
    }
    let mut departments = [0; 3];
    for (i, (name, residents)) in [("Björken", 12), ("Eken", 10), ("Linden", 8)]
        .into_iter()
        .enumerate()
    {
        departments[i] = departments::insert(
            conn,
            tenant,
            site,
            &DepartmentFields {
                name,
                residents,
                notes: "",
            },
        )
        .await
        .unwrap();
    }
    for (i, (user, _)) in emails[3..].iter().enumerate() {
        departments::bind_user(conn, tenant, *user, Some(departments[i]))
            .await
            .unwrap();
    }
    drop(pooled);
    let emails: Vec<String> = emails.into_iter().map(|(_, email)| email).collect();

    let admin = Client::sign_in(app, &emails[0]).await;
    // Stored as the kitchen had them all along: made over the API, they would be a set-up
    // change, and the weeks already over would keep the set-up from before them.
    let mut diets = [0; 3];
    let mut pooled = app.app.state.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    for (i, (name, excludes, texture_level, always_applies)) in [
        ("Glutenfri", &[Allergen::Gluten][..], None, false),
        ("Laktosfri", &[Allergen::Milk][..], None, false),
        ("Timbal", &[][..], Some(5), true),
    ]
    .into_iter()
    .enumerate()
    {
        let fields = DietFields {
            name,
            excludes: to_mask(excludes),
            texture_level,
            always_applies,
        };
        diets[i] = diet_types::insert(conn, tenant, site, &fields)
            .await
            .unwrap();
    }
    drop(pooled);
    let mut pooled = app.app.state.db.get().await.unwrap();
    let conn = &mut pooled.conn();
    setup::replace_diet_defaults(conn, departments[0], &[(diets[0], 2), (diets[2], 1)])
        .await
        .unwrap();
    setup::replace_diet_defaults(conn, departments[1], &[(diets[1], 1)])
        .await
        .unwrap();
    drop(pooled);

    let mut dishes = [0; 6];
    for (i, (name, allergens)) in [
        (
            "Köttbullar med potatismos",
            json!(["gluten", "milk", "eggs"]),
        ),
        ("Fiskgratäng med dillpotatis", json!(["fish", "milk"])),
        ("Kycklinggryta med ris", json!([])),
        ("Pannkakor med sylt", json!(["gluten", "milk", "eggs"])),
        ("Äppelkaka med vaniljsås", json!(["gluten", "milk", "eggs"])),
        ("Blåbärssoppa", json!([])),
    ]
    .into_iter()
    .enumerate()
    {
        let created = admin
            .post(
                "/api/v1/dishes",
                json!({ "name": format!("{name} ({slug})"), "category": "main", "allergens": allergens }),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.text());
        dishes[i] = created.json()["id"].as_i64().unwrap();
    }

    let mut items = Vec::new();
    for day in 1..=7 {
        items.push(json!({ "day": day, "meal": "lunch", "slot": "alt1", "dish_id": dishes[0] }));
        if day <= 5 {
            items
                .push(json!({ "day": day, "meal": "lunch", "slot": "alt2", "dish_id": dishes[1] }));
        }
        items.push(json!({ "day": day, "meal": "lunch", "slot": "dessert", "dish_id": dishes[4] }));
        items.push(json!({ "day": day, "meal": "dinner", "slot": "main", "dish_id": dishes[3] }));
    }
    let path = format!("/api/v1/sites/{site}/menus/{}/{}", week.year, week.week);
    let draft = admin.get(&path).await;
    let saved = admin
        .send(
            axum::http::Method::PUT,
            &path,
            Some(draft.header("etag")),
            Some(json!({ "items": items })),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    let published = admin
        .send(
            axum::http::Method::POST,
            // The default settings offer Alt 2 at weekends too, and this menu has none then:
            // the publishing pre-flight's findings are known and confirmed.
            &format!("{path}/publish?confirm=true"),
            Some(saved.header("etag")),
            None,
        )
        .await;
    assert_eq!(published.status, 200, "{}", published.text());

    Kitchen {
        tenant,
        site,
        cook: Client::sign_in(app, &emails[1]).await,
        viewer: Client::sign_in(app, &emails[2]).await,
        department_staff: [
            Client::sign_in(app, &emails[3]).await,
            Client::sign_in(app, &emails[4]).await,
        ],
        admin,
        departments,
        diets,
        dishes,
        week,
    }
}

/// A weekly report workbook's first sheet: the eight numbers of its "Totalt" row (lunch
/// residents, special, normal, Alt 1, Alt 2; dinner residents, special, normal) and all its
/// cells as text.
pub fn workbook_totals(xlsx: &[u8]) -> (Vec<i64>, String) {
    use calamine::{Data, Reader, Xlsx};
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    let sheet = workbook.worksheet_range_at(0).unwrap().unwrap();
    let total_row = sheet
        .rows()
        .find(|row| matches!(&row[0], Data::String(s) if s == "Totalt"))
        .expect("a totals row");
    let numbers = total_row[1..9]
        .iter()
        .map(|cell| match cell {
            Data::Float(f) => *f as i64,
            Data::Int(i) => *i,
            other => panic!("not a number: {other:?}"),
        })
        .collect();
    let text = sheet
        .rows()
        .flat_map(|row| row.iter())
        .map(|cell| cell.to_string())
        .collect::<Vec<_>>()
        .join("|");
    (numbers, text)
}

/// The numbers of a report's or a plan's totals, in the downloads' column order.
pub fn report_totals(report: &serde_json::Value) -> Vec<i64> {
    let t = &report["totals"];
    [
        &t["lunch"]["residents"],
        &t["lunch"]["special"],
        &t["lunch"]["normal"],
        &t["lunch"]["alt1"],
        &t["lunch"]["alt2"],
        &t["dinner"]["residents"],
        &t["dinner"]["special"],
        &t["dinner"]["normal"],
    ]
    .iter()
    .map(|v| v.as_i64().unwrap())
    .collect()
}
