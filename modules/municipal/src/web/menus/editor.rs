//! `/municipal/menus/{year}/{week}`: one week's menu as a grid of days and slots (Alt 1,
//! Alt 2, dessert, kvällsmat). Each cell is a text field with the tenant's dish names to pick
//! from; a name nobody has yet becomes a new dish (category from its slot, no allergens) when
//! the week is saved. One form saves the whole week, guarded by the menu's ETag: when someone
//! else saved first, the page shows both versions and lets the cook save theirs over it.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use galley_core::audit::{self, Entry};
use galley_core::auth::Caller;
use galley_core::http::AppError;
use galley_core::kitchen::allergen::{Allergen, from_mask};
use galley_core::kitchen::dishes::{self, DishFields, DishFilter};
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::kitchen::menu_api::{self, MenuItemIn, MenuOut};
use galley_core::kitchen::preflight::PublishFinding;
use galley_core::people::api::tenant_of;
use galley_core::state::AppState;
use galley_core::web::admin::{Console, FormErrors};
use galley_core::web::{Page, render};
use serde::Deserialize;
use serde_json::json;

use super::{
    KitchenSite, WeekLink, collapsed, day_label, failed, is_kitchen_staff, kitchen_and_week,
    week_link, week_name, week_range,
};
use crate::api::{KitchenReaders, KitchenStaff};
use crate::web::allergens::AllergenBadges;
use crate::web::portal::signed::FormCaller;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/menus", get(this_week))
        .route("/menus/{year}/{week}", get(show).post(save))
        .route("/menus/{year}/{week}/publish", post(publish))
        .route("/menus/{year}/{week}/unpublish", post(unpublish))
        .route("/menus/{year}/{week}/copy", post(copy))
}

/// The longest dish name (as the dish API allows).
const MAX_NAME: usize = 120;

/// The municipal menu's slots, in the grid's column order: (meal, slot, label key).
const SLOTS: [(&str, &str, &str); 4] = [
    ("lunch", "alt1", "municipal.menus.slot_alt1"),
    ("lunch", "alt2", "municipal.menus.slot_alt2"),
    ("lunch", "dessert", "municipal.menus.slot_dessert"),
    ("dinner", "main", "municipal.menus.slot_dinner"),
];

/// The category a dish typed into a slot gets.
fn category_of(slot: &str) -> &'static str {
    if slot == "dessert" { "dessert" } else { "main" }
}

fn field_name(day: u32, meal: &str, slot: &str) -> String {
    format!("dish-{day}-{meal}-{slot}")
}

/// One cell of the grid.
struct Cell {
    field: String,
    label: String,
    value: String,
    /// The allergens of the stored dish, translated; `None` when the value names no dish
    /// the tenant has (a new one, or empty).
    allergens: Option<AllergenBadges>,
    /// Alt 2 on a weekend the site offers none: shown only when it holds something.
    offered: bool,
    error: Option<String>,
    /// In a conflict: what the other person saved here, when it differs from ours.
    theirs: Option<String>,
}

struct DayRow {
    day: u32,
    label: String,
    cells: Vec<Cell>,
}

/// A slot that differs between the two versions of a conflict.
struct Difference {
    place: String,
    theirs: String,
    ours: String,
}

#[derive(Template)]
#[template(path = "menus/editor.html")]
struct EditorTemplate {
    page: Page,
    section: &'static str,
    week_short: String,
    csrf: String,
    can_edit: bool,
    site_name: String,
    title: String,
    range: String,
    action: String,
    prev: WeekLink,
    next: WeekLink,
    today: Option<WeekLink>,
    orders_href: String,
    exists: bool,
    published: bool,
    changed_after_publish: bool,
    version: i64,
    etag: String,
    item_count: usize,
    slot_labels: Vec<String>,
    days: Vec<DayRow>,
    dish_names: Vec<String>,
    allergen_json: String,
    saved: bool,
    created_dishes: usize,
    errors: FormErrors,
    differences: Vec<Difference>,
    conflict: bool,
    /// Earlier weeks a new week can start from: (`2026-W10`, "v. 10").
    copy_sources: Vec<(String, String)>,
    /// The pre-flight's findings, in words, while the editor asks to publish anyway.
    preflight: Vec<String>,
    /// The editor asks before withdrawing the published week.
    ask_unpublish: bool,
}

#[derive(Debug, Deserialize)]
struct ShowQuery {
    saved: Option<String>,
    new: Option<usize>,
}

/// What the editor asks before it changes the week's status.
#[derive(Debug, Default)]
enum Step {
    #[default]
    None,
    /// The pre-flight found these: publish anyway?
    ConfirmPublish(Vec<PublishFinding>),
    /// Withdraw the published week from the departments?
    ConfirmUnpublish,
}

/// One finding of the pre-flight in the reader's language.
fn finding_line(page: &Page, week: IsoWeek, finding: &PublishFinding) -> String {
    let day = finding
        .day
        .and_then(|d| u32::try_from(d).ok())
        .map(|d| day_label(page, week, d))
        .unwrap_or_default();
    let slot = SLOTS
        .iter()
        .find(|(meal, slot, _)| {
            finding.meal.as_deref() == Some(*meal) && finding.slot.as_deref() == Some(*slot)
        })
        .map(|(_, _, key)| page.t(key).to_owned())
        .unwrap_or_default();
    let key = match finding.code {
        "allergens_not_stated" => "municipal.menus.preflight_allergens",
        "alt2_missing" => "municipal.menus.preflight_alt2",
        _ => "municipal.menus.preflight_empty",
    };
    page.t(key)
        .replace("{day}", &day)
        .replace("{slot}", &slot)
        .replace("{dish}", finding.dish_name.as_deref().unwrap_or_default())
}

/// What the form holds, by (day, slot index): the typed text, whitespace collapsed.
type Typed = BTreeMap<(u32, usize), String>;

async fn this_week(State(state): State<AppState>, console: Console<KitchenReaders>) -> Response {
    super::to_this_week(&state, &console.caller, "/municipal/menus").await
}

async fn load_menu(state: &AppState, site: i64, week: IsoWeek) -> Result<MenuOut, AppError> {
    let mut pooled = state.db.get().await?;
    let (menu, items) = menu_api::load(&mut pooled.conn(), site, week).await?;
    Ok(MenuOut::new(site, week, menu.as_ref(), &items))
}

/// What the page knows of a dish's allergens: those it contains, and whether anyone said so.
type KnownAllergens = HashMap<String, (Vec<Allergen>, bool)>;

/// The tenant's dishes for the fields' suggestion list, with their allergens by folded name.
async fn tenant_dishes(
    state: &AppState,
    caller: &Caller,
) -> Result<(Vec<String>, KnownAllergens), AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let every_dish = DishFilter::default();
    let (dishes, _) =
        dishes::list_filtered(&mut pooled.conn(), tenant, every_dish, 0, 2000).await?;
    let allergens = dishes
        .iter()
        .map(|dish| {
            let known = (from_mask(dish.allergens), dish.allergens_stated);
            (dishes::name_key(&dish.name), known)
        })
        .collect();
    Ok((
        dishes.into_iter().map(|dish| dish.name).collect(),
        allergens,
    ))
}

/// The stored menu as the form would hold it.
fn typed_from(menu: &MenuOut) -> Typed {
    let mut typed = Typed::new();
    for item in &menu.items {
        if let Some(index) = SLOTS
            .iter()
            .position(|(meal, slot, _)| item.meal == *meal && item.slot == *slot)
        {
            typed.insert((item.day as u32, index), item.dish.name.clone());
        }
    }
    typed
}

/// Allergens of the stored menu's dishes, by folded name.
fn allergens_by_name(menu: &MenuOut) -> KnownAllergens {
    menu.items
        .iter()
        .map(|item| {
            let known = (item.dish.allergens.clone(), item.dish.allergens_stated);
            (dishes::name_key(&item.dish.name), known)
        })
        .collect()
}

/// Everything the page shows. `typed` is what the fields hold (the stored menu, or what was
/// sent); `theirs`, in a conflict, is the version someone else saved.
struct View {
    /// A step that asks the cook before publishing or withdrawing.
    step: Step,
    menu: MenuOut,
    typed: Typed,
    errors: FormErrors,
    field_errors: HashMap<String, String>,
    theirs: Option<Typed>,
    saved: bool,
    created_dishes: usize,
}

async fn editor_page(
    state: &AppState,
    caller: &Caller,
    page: Page,
    kitchen: &KitchenSite,
    view: View,
) -> Response {
    let (names, mut known) = match tenant_dishes(state, caller).await {
        Ok(found) => found,
        Err(error) => return failed(error),
    };
    let settings = match state.db.get().await {
        Ok(mut pooled) => crate::settings::load(&mut pooled.conn(), kitchen.id).await,
        Err(error) => Err(error),
    };
    let weekend_alt2 = match settings {
        Ok(settings) => settings.weekend_alt2,
        Err(error) => return failed(error.into()),
    };
    let week = IsoWeek {
        year: view.menu.year,
        week: view.menu.week,
    };
    // The menu's own dishes, in case the tenant has more than the list holds.
    known.extend(allergens_by_name(&view.menu));
    let (days, differences) = grid(&page, week, &view, &known, weekend_alt2);
    let allergen_json = allergen_json(&page);
    let this_week = kitchen.this_week();
    let template = EditorTemplate {
        section: "editor",
        week_short: week_name(&page, week),
        csrf: caller.csrf_token().unwrap_or_default().to_owned(),
        can_edit: is_kitchen_staff(caller),
        site_name: kitchen.name.clone(),
        title: format!(
            "{} {}",
            page.t("municipal.menus.editor_title"),
            week_name(&page, week)
        ),
        range: week_range(&page, week, true),
        action: format!("/municipal/menus/{}/{}", week.year, week.week),
        prev: week_link(&page, week.previous(), "/municipal/menus"),
        next: week_link(&page, week.next(), "/municipal/menus"),
        today: (this_week != week).then(|| week_link(&page, this_week, "/municipal/menus")),
        orders_href: format!("/municipal/orders/{}/{}", week.year, week.week),
        exists: view.menu.version > 0,
        published: view.menu.status == "published",
        changed_after_publish: view.menu.changed_after_publish,
        version: view.menu.version,
        etag: view.menu.etag(),
        item_count: view.menu.items.len(),
        slot_labels: SLOTS
            .iter()
            .map(|(_, _, key)| page.t(key).to_owned())
            .collect(),
        days,
        dish_names: names,
        allergen_json,
        saved: view.saved,
        created_dishes: view.created_dishes,
        conflict: view.theirs.is_some(),
        copy_sources: std::iter::successors(Some(week.previous()), |w| Some(w.previous()))
            .take(COPY_SOURCES)
            .map(|w| (format!("{}-W{:02}", w.year, w.week), week_name(&page, w)))
            .collect(),
        differences,
        errors: view.errors,
        preflight: match &view.step {
            Step::ConfirmPublish(found) => {
                found.iter().map(|f| finding_line(&page, week, f)).collect()
            }
            _ => Vec::new(),
        },
        ask_unpublish: matches!(view.step, Step::ConfirmUnpublish),
        page,
    };
    let status = if template.conflict {
        axum::http::StatusCode::CONFLICT
    } else {
        template.errors.status()
    };
    render(status, &template)
}

/// The days and their cells, and in a conflict the slots where the two versions differ.
fn grid(
    page: &Page,
    week: IsoWeek,
    view: &View,
    known: &KnownAllergens,
    weekend_alt2: bool,
) -> (Vec<DayRow>, Vec<Difference>) {
    let mut differences = Vec::new();
    let days = (1..=7)
        .map(|day| DayRow {
            day,
            label: day_label(page, week, day),
            cells: SLOTS
                .iter()
                .enumerate()
                .map(|(index, (meal, slot, label_key))| {
                    let field = field_name(day, meal, slot);
                    let value = view.typed.get(&(day, index)).cloned().unwrap_or_default();
                    let theirs = view.theirs.as_ref().and_then(|theirs| {
                        let other = theirs.get(&(day, index)).cloned().unwrap_or_default();
                        (dishes::name_key(&other) != dishes::name_key(&value)).then_some(other)
                    });
                    if let Some(other) = &theirs {
                        differences.push(Difference {
                            place: format!(
                                "{} · {}",
                                day_label(page, week, day),
                                page.t(label_key)
                            ),
                            theirs: other.clone(),
                            ours: value.clone(),
                        });
                    }
                    Cell {
                        allergens: known.get(&dishes::name_key(&value)).map(
                            |(allergens, stated)| AllergenBadges::of(page, allergens, *stated),
                        ),
                        offered: *slot != "alt2" || weekend_alt2 || day <= 5 || !value.is_empty(),
                        error: view.field_errors.get(&field).cloned(),
                        label: page.t(label_key).to_owned(),
                        field,
                        value,
                        theirs,
                    }
                })
                .collect(),
        })
        .collect();
    (days, differences)
}

/// The allergens' names in the reader's language by their API code, for editor.js.
fn allergen_json(page: &Page) -> String {
    serde_json::Value::Object(
        Allergen::ALL
            .iter()
            .map(|allergen| {
                (
                    serde_json::to_value(allergen)
                        .ok()
                        .and_then(|code| code.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    serde_json::Value::from(page.t(allergen.key())),
                )
            })
            .collect(),
    )
    .to_string()
}

async fn show(
    State(state): State<AppState>,
    console: Console<KitchenReaders>,
    Path((year, week)): Path<(i32, u32)>,
    Query(query): Query<ShowQuery>,
) -> Response {
    let (kitchen, week) = match kitchen_and_week(&state, &console.caller, year, week).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let menu = match load_menu(&state, kitchen.id, week).await {
        Ok(menu) => menu,
        Err(error) => return failed(error),
    };
    let view = View {
        step: Step::None,
        typed: typed_from(&menu),
        menu,
        errors: FormErrors::default(),
        field_errors: HashMap::new(),
        theirs: None,
        saved: query.saved.is_some(),
        created_dishes: query.new.unwrap_or(0),
    };
    editor_page(&state, &console.caller, console.page, &kitchen, view).await
}

/// The fields of the week form: the ETag and one `dish-{day}-{meal}-{slot}` per cell.
fn read_form(fields: &[(String, String)]) -> (Option<String>, Typed) {
    let mut etag = None;
    let mut typed = Typed::new();
    for (name, value) in fields {
        if name == "etag" {
            etag = Some(value.clone());
            continue;
        }
        for day in 1..=7 {
            for (index, (meal, slot, _)) in SLOTS.iter().enumerate() {
                if *name == field_name(day, meal, slot) {
                    let text = collapsed(value);
                    if !text.is_empty() {
                        typed.insert((day, index), text);
                    }
                }
            }
        }
    }
    (etag, typed)
}

/// The first field of a posted week form that the editor would not save: a name that is no
/// cell of the grid, or a weekend Alt 2 cell the editor does not show (the site offers no
/// weekend Alt 2 and the stored menu has none there). Such a post is refused as a whole, so
/// nothing typed is dropped while the page says "Saved".
fn ignored_field(
    fields: &[(String, String)],
    stored: &Typed,
    weekend_alt2: bool,
) -> Option<String> {
    for (name, value) in fields {
        if name == "etag" || name == "csrf_token" {
            continue;
        }
        let cell = (1..=7u32).find_map(|day| {
            SLOTS
                .iter()
                .position(|(meal, slot, _)| *name == field_name(day, meal, slot))
                .map(|index| (day, index))
        });
        let Some((day, index)) = cell else {
            return Some(name.clone());
        };
        let hidden = SLOTS[index].1 == "alt2"
            && day > 5
            && !weekend_alt2
            && !stored.contains_key(&(day, index));
        if hidden && !collapsed(value).is_empty() {
            return Some(name.clone());
        }
    }
    None
}

/// Creates the dishes the form names that the tenant does not have yet, in one transaction;
/// returns every typed name's dish id (by folded name) and how many were created.
async fn resolve_dishes(
    state: &AppState,
    caller: &Caller,
    typed: &Typed,
) -> Result<(HashMap<String, i64>, usize), AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let mut ids = HashMap::new();
    let mut missing: BTreeMap<String, (String, &'static str)> = BTreeMap::new();
    for ((_, index), name) in typed {
        let key = dishes::name_key(name);
        if ids.contains_key(&key) || missing.contains_key(&key) {
            continue;
        }
        match dishes::find_by_name(conn, tenant, name, None).await? {
            Some(dish) => {
                ids.insert(key, dish.id);
            }
            None => {
                missing.insert(key, (name.clone(), category_of(SLOTS[*index].1)));
            }
        }
    }
    let created = missing.len();
    if created == 0 {
        return Ok((ids, 0));
    }
    let made = galley_core::transaction!(conn, |tx| {
        let mut made = Vec::new();
        for (key, (name, category)) in &missing {
            let fields = DishFields {
                name,
                category,
                allergens: 0,
                allergens_stated: false,
            };
            let id = dishes::insert(tx, tenant, &fields).await?;
            audit::record(
                tx,
                Entry::new("dish.created", caller.actor(), Some(tenant))
                    .target("dish", id)
                    .details(json!({
                        "name": name, "category": category, "allergens": from_mask(0),
                        "source": "menu editor",
                    })),
            )
            .await?;
            made.push((key.clone(), id));
        }
        Ok::<_, AppError>(made)
    })?;
    ids.extend(made);
    Ok((ids, created))
}

async fn save(
    State(state): State<AppState>,
    FormCaller(console): FormCaller<KitchenStaff>,
    Path((year, week)): Path<(i32, u32)>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let Console { caller, page, .. } = console;
    let (kitchen, week) = match kitchen_and_week(&state, &caller, year, week).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let (etag, typed) = read_form(&fields);
    let current = match load_menu(&state, kitchen.id, week).await {
        Ok(menu) => menu,
        Err(error) => return failed(error),
    };
    let weekend_alt2 = match state.db.get().await {
        Ok(mut pooled) => crate::settings::load(&mut pooled.conn(), kitchen.id)
            .await
            .map(|settings| settings.weekend_alt2),
        Err(error) => Err(error),
    };
    let weekend_alt2 = match weekend_alt2 {
        Ok(offered) => offered,
        Err(error) => return failed(error.into()),
    };
    if let Some(field) = ignored_field(&fields, &typed_from(&current), weekend_alt2) {
        let key = if field.starts_with("dish-") {
            "municipal.menus.refused_cell"
        } else {
            "municipal.menus.refused_field"
        };
        let reason = page
            .t(key)
            .replace("{cell}", &field)
            .replace("{field}", &field);
        // A page, not a problem document (page errors are HTML here): 422, what was typed kept,
        // the field named in words and marked.
        let errors = FormErrors {
            general: Some(reason.clone()),
            ..FormErrors::default()
        };
        let mut field_errors = HashMap::new();
        field_errors.insert(field, reason);
        let mut response = with_typed(
            &state,
            &caller,
            page,
            &kitchen,
            current,
            typed,
            errors,
            field_errors,
            false,
        )
        .await;
        if response.status().is_success() {
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        }
        return response;
    }
    let mut field_errors = HashMap::new();
    for ((day, index), name) in &typed {
        if name.chars().count() > MAX_NAME {
            let (meal, slot, _) = SLOTS[*index];
            field_errors.insert(
                field_name(*day, meal, slot),
                page.t("municipal.menus.name_too_long").to_owned(),
            );
        }
    }
    if !field_errors.is_empty() {
        let errors = FormErrors {
            general: Some(page.t("municipal.menus.not_saved").to_owned()),
            ..FormErrors::default()
        };
        return with_typed(
            &state,
            &caller,
            page,
            &kitchen,
            current,
            typed,
            errors,
            field_errors,
            false,
        )
        .await;
    }
    // Someone saved since this form was read: show both, keep what was typed, and let the
    // next save (with the current ETag) put ours over theirs.
    if etag.as_deref() != Some(current.etag().as_str()) {
        return with_typed(
            &state,
            &caller,
            page,
            &kitchen,
            current,
            typed,
            FormErrors::default(),
            field_errors,
            true,
        )
        .await;
    }
    // An empty form for a week nobody has written stays unwritten.
    if current.version == 0 && typed.is_empty() {
        return Redirect::to(&format!("/municipal/menus/{}/{}", week.year, week.week))
            .into_response();
    }
    let (ids, created) = match resolve_dishes(&state, &caller, &typed).await {
        Ok(resolved) => resolved,
        Err(error) => return failed(error),
    };
    let items: Vec<MenuItemIn> = typed
        .iter()
        .filter_map(|((day, index), name)| {
            let (meal, slot, _) = SLOTS[*index];
            ids.get(&dishes::name_key(name)).map(|id| MenuItemIn {
                day: *day as i32,
                meal: meal.to_owned(),
                slot: slot.to_owned(),
                dish_id: *id,
            })
        })
        .collect();
    let result =
        menu_api::replace_items(&state, &caller, kitchen.id, week, etag.as_deref(), &items).await;
    match result {
        Ok(_) => Redirect::to(&format!(
            "/municipal/menus/{}/{}?saved=1&new={created}",
            week.year, week.week
        ))
        .into_response(),
        Err(AppError::PreconditionFailed { .. } | AppError::PreconditionRequired) => {
            match load_menu(&state, kitchen.id, week).await {
                Ok(now) => {
                    with_typed(
                        &state,
                        &caller,
                        page,
                        &kitchen,
                        now,
                        typed,
                        FormErrors::default(),
                        field_errors,
                        true,
                    )
                    .await
                }
                Err(error) => failed(error),
            }
        }
        Err(AppError::Validation(problems)) => {
            let errors = FormErrors {
                general: Some(
                    problems
                        .into_iter()
                        .map(|p| p.reason)
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                ..FormErrors::default()
            };
            with_typed(
                &state,
                &caller,
                page,
                &kitchen,
                current,
                typed,
                errors,
                field_errors,
                false,
            )
            .await
        }
        Err(error) => failed(error),
    }
}

/// The editor showing what was typed instead of what is stored.
#[allow(clippy::too_many_arguments)]
async fn with_typed(
    state: &AppState,
    caller: &Caller,
    page: Page,
    kitchen: &KitchenSite,
    menu: MenuOut,
    typed: Typed,
    errors: FormErrors,
    field_errors: HashMap<String, String>,
    conflict: bool,
) -> Response {
    let theirs = conflict.then(|| typed_from(&menu));
    let view = View {
        step: Step::None,
        menu,
        typed,
        errors,
        field_errors,
        theirs,
        saved: false,
        created_dishes: 0,
    };
    editor_page(state, caller, page, kitchen, view).await
}

#[derive(Debug, Deserialize)]
struct StatusForm {
    etag: Option<String>,
    /// Sent by the confirm step's button: publish in spite of the pre-flight, or withdraw.
    confirm: Option<String>,
}

/// How many earlier weeks the copy form offers.
const COPY_SOURCES: usize = 8;

#[derive(Debug, Deserialize)]
struct CopyForm {
    etag: Option<String>,
    /// `2026-W10`.
    #[serde(default)]
    from: String,
}

/// Starts the week as a copy of an earlier one (`menu_api::copy_week`).
async fn copy(
    State(state): State<AppState>,
    FormCaller(console): FormCaller<KitchenStaff>,
    Path((year, week)): Path<(i32, u32)>,
    axum::Form(form): axum::Form<CopyForm>,
) -> Response {
    let Console { caller, page, .. } = console;
    let (kitchen, week) = match kitchen_and_week(&state, &caller, year, week).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let from = form
        .from
        .split_once("-W")
        .and_then(|(y, w)| IsoWeek::new(y.parse().ok()?, w.parse().ok()?).ok());
    let result = match from {
        Some(from) => {
            menu_api::copy_week(
                &state,
                &caller,
                kitchen.id,
                week,
                form.etag.as_deref(),
                from,
            )
            .await
        }
        None => Err(AppError::validation("from_week", "choose a week")),
    };
    let message = match result {
        Ok(_) => {
            return Redirect::to(&format!(
                "/municipal/menus/{}/{}?saved=1",
                week.year, week.week
            ))
            .into_response();
        }
        Err(AppError::PreconditionFailed { .. } | AppError::PreconditionRequired) => {
            page.t("municipal.menus.status_stale").to_owned()
        }
        Err(AppError::Validation(_)) => page.t("municipal.menus.copy_empty").replace(
            "{week}",
            &from.map_or_else(String::new, |w| week_name(&page, w)),
        ),
        Err(error) => return failed(error),
    };
    let menu = match load_menu(&state, kitchen.id, week).await {
        Ok(menu) => menu,
        Err(error) => return failed(error),
    };
    let view = View {
        step: Step::None,
        typed: typed_from(&menu),
        menu,
        errors: FormErrors {
            general: Some(message),
            ..FormErrors::default()
        },
        field_errors: HashMap::new(),
        theirs: None,
        saved: false,
        created_dishes: 0,
    };
    editor_page(&state, &caller, page, &kitchen, view).await
}

async fn publish(
    State(state): State<AppState>,
    FormCaller(console): FormCaller<KitchenStaff>,
    Path((year, week)): Path<(i32, u32)>,
    axum::Form(form): axum::Form<StatusForm>,
) -> Response {
    set_status(state, console, year, week, form, true).await
}

async fn unpublish(
    State(state): State<AppState>,
    FormCaller(console): FormCaller<KitchenStaff>,
    Path((year, week)): Path<(i32, u32)>,
    axum::Form(form): axum::Form<StatusForm>,
) -> Response {
    set_status(state, console, year, week, form, false).await
}

async fn set_status(
    state: AppState,
    console: Console<KitchenStaff>,
    year: i32,
    week: u32,
    form: StatusForm,
    publish: bool,
) -> Response {
    let Console { caller, page, .. } = console;
    let (kitchen, week) = match kitchen_and_week(&state, &caller, year, week).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let confirmed = form.confirm.is_some();
    // Withdrawing the week takes it from the departments' phones: ask first.
    if !publish && !confirmed {
        return ask(
            &state,
            &caller,
            page,
            &kitchen,
            week,
            Step::ConfirmUnpublish,
        )
        .await;
    }
    let result = menu_api::set_published(
        &state,
        &caller,
        kitchen.id,
        week,
        form.etag.as_deref(),
        publish,
        confirmed,
    )
    .await;
    let message = match result {
        Ok(_) => {
            return Redirect::to(&format!(
                "/municipal/menus/{}/{}?saved=1",
                week.year, week.week
            ))
            .into_response();
        }
        Err(AppError::PreconditionFailed { .. } | AppError::PreconditionRequired) => {
            "municipal.menus.status_stale"
        }
        Err(AppError::Validation(errors)) if errors.iter().all(|e| e.field == "confirm") => {
            // The pre-flight found something: show it and ask.
            let found = match preflight_findings(&state, kitchen.id, week).await {
                Ok(found) => found,
                Err(error) => return failed(error),
            };
            return ask(
                &state,
                &caller,
                page,
                &kitchen,
                week,
                Step::ConfirmPublish(found),
            )
            .await;
        }
        Err(AppError::Validation(_)) => "municipal.menus.publish_empty",
        Err(error) => return failed(error),
    };
    let menu = match load_menu(&state, kitchen.id, week).await {
        Ok(menu) => menu,
        Err(error) => return failed(error),
    };
    let errors = FormErrors {
        general: Some(page.t(message).to_owned()),
        ..FormErrors::default()
    };
    let view = View {
        step: Step::None,
        typed: typed_from(&menu),
        menu,
        errors,
        field_errors: HashMap::new(),
        theirs: None,
        saved: false,
        created_dishes: 0,
    };
    editor_page(&state, &caller, page, &kitchen, view).await
}

/// The pre-flight's findings for the week as stored now.
async fn preflight_findings(
    state: &AppState,
    site_id: i64,
    week: IsoWeek,
) -> Result<Vec<PublishFinding>, AppError> {
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let (_, items) = menu_api::load(conn, site_id, week).await?;
    Ok(crate::preflight::findings(conn, site_id, week, &items).await?)
}

/// The editor with a confirm step above the week.
async fn ask(
    state: &AppState,
    caller: &Caller,
    page: Page,
    kitchen: &KitchenSite,
    week: IsoWeek,
    step: Step,
) -> Response {
    let menu = match load_menu(state, kitchen.id, week).await {
        Ok(menu) => menu,
        Err(error) => return failed(error),
    };
    let view = View {
        step,
        typed: typed_from(&menu),
        menu,
        errors: FormErrors::default(),
        field_errors: HashMap::new(),
        theirs: None,
        saved: false,
        created_dishes: 0,
    };
    editor_page(state, caller, page, kitchen, view).await
}
