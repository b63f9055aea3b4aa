//! `/municipal/dishes`: the kitchen's dishes and the allergens each contains. The menu editor
//! and the menu import create dishes without allergens; here the kitchen finds them (search,
//! or the filter "no allergens stated"), ticks the allergens and saves. Cooks and admins
//! change dishes, viewers read them, department staff get a 403 page. Every form works
//! without JavaScript, carries the CSRF token and the dish's version, and calls the same
//! operation as `/api/v1/dishes`.

mod form;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use galley_core::auth::Caller;
use galley_core::http::AppError;
use galley_core::http::pagination::DEFAULT_PER_PAGE;
use galley_core::kitchen::api::{
    DishChange, NewDish, create_dish, delete_dish, dish_etag, update_dish,
};
use galley_core::kitchen::dishes::{self, Dish, DishFilter};
use galley_core::people::api::tenant_of;
use galley_core::state::AppState;
use galley_core::web::admin::{Console, FormErrors};
use galley_core::web::{Page, error_page, render};
use serde::Deserialize;

use self::form::{Back, DishForm, Fields, Listing, Refused, category_label, field_error};
use super::allergens::AllergenBadges;
use super::menus::is_kitchen_staff;
use crate::api::{KitchenReaders, KitchenStaff};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dishes", get(list).post(create))
        .route("/dishes/by-name", get(by_name))
        .route("/dishes/{id}", get(show).post(update))
        .route("/dishes/{id}/delete", post(delete))
}

/// An operation's failure as a page in the reader's language (404, 403, 500...).
fn failed(page: Page, error: AppError) -> Response {
    let status = error.into_response().status();
    error_page(page, status)
}

async fn find(state: &AppState, caller: &Caller, id: i64) -> Result<Dish, AppError> {
    let tenant = tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    dishes::find(&mut pooled.conn(), tenant, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The dish that already has the name a form asked for.
struct Taken {
    href: String,
    name: String,
}

/// The dish with the name a form asked for, to link next to "the name is taken".
async fn taken(state: &AppState, caller: &Caller, name: &str) -> Option<Taken> {
    let tenant = tenant_of(caller).ok()?;
    let mut pooled = state.db.get().await.ok()?;
    let dish = dishes::find_by_name(&mut pooled.conn(), tenant, name, None)
        .await
        .ok()
        .flatten()?;
    Some(Taken {
        href: format!("/municipal/dishes/{}", dish.id),
        name: dish.name,
    })
}

// ------------------------------------------------------------------ list ---

/// A line of the list.
struct Row {
    name: String,
    href: String,
    category: String,
    allergens: AllergenBadges,
}

/// What the list says after a form: a dish added or saved (with its allergens), or removed.
struct Notice {
    text: String,
    allergens: Option<AllergenBadges>,
    href: Option<String>,
}

#[derive(Template)]
#[template(path = "dishes/list.html")]
struct ListTemplate {
    page: Page,
    csrf: String,
    can_edit: bool,
    listing: Listing,
    heading: String,
    rows: Vec<Row>,
    total: i64,
    /// "Visar 26–50 av 80", empty when nothing is shown.
    showing: String,
    previous_href: Option<String>,
    next_href: Option<String>,
    first_href: String,
    /// Dishes with no allergens stated, in the whole kitchen.
    to_check: i64,
    to_check_href: String,
    notice: Option<Notice>,
    form: DishForm,
    errors: FormErrors,
    taken: Option<Taken>,
}

/// `?q=&not_stated=1&page=`, and after a form `created`, `saved` (a dish id) or `deleted`.
/// Everything is text, so an odd value is ignored rather than refused.
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    q: Option<String>,
    not_stated: Option<String>,
    page: Option<String>,
    created: Option<String>,
    saved: Option<String>,
    deleted: Option<String>,
}

impl ListQuery {
    fn listing(&self) -> Listing {
        Listing {
            q: super::menus::collapsed(self.q.as_deref().unwrap_or_default()),
            not_stated: self
                .not_stated
                .as_deref()
                .is_some_and(|v| !v.is_empty() && v != "0"),
            page: self
                .page
                .as_deref()
                .and_then(|p| p.trim().parse::<u32>().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1),
        }
    }
}

fn per_page() -> i64 {
    i64::from(DEFAULT_PER_PAGE)
}

/// "Visar 26–50 av 80".
fn showing(page: &Page, listing: &Listing, shown: usize, total: i64) -> String {
    if shown == 0 {
        return String::new();
    }
    let first = i64::from(listing.page - 1) * per_page() + 1;
    let last = first + i64::try_from(shown).unwrap_or(0) - 1;
    page.t("municipal.dishes.showing")
        .replace("{from}", &first.to_string())
        .replace("{to}", &last.to_string())
        .replace("{total}", &total.to_string())
}

fn heading(page: &Page, listing: &Listing) -> String {
    match (listing.q.is_empty(), listing.not_stated) {
        (true, false) => page.t("municipal.dishes.list_all").to_owned(),
        (true, true) => page.t("municipal.dishes.list_missing").to_owned(),
        (false, false) => page
            .t("municipal.dishes.list_search")
            .replace("{q}", &listing.q),
        (false, true) => page
            .t("municipal.dishes.list_search_missing")
            .replace("{q}", &listing.q),
    }
}

/// What the form just did, from the list's query.
async fn notice(
    state: &AppState,
    caller: &Caller,
    page: &Page,
    query: &ListQuery,
) -> Option<Notice> {
    if query.deleted.is_some() {
        return Some(Notice {
            text: page.t("municipal.dishes.deleted").to_owned(),
            allergens: None,
            href: None,
        });
    }
    let (key, id) = match (&query.created, &query.saved) {
        (Some(id), _) => ("municipal.dishes.created", id),
        (None, Some(id)) => ("municipal.dishes.saved_dish", id),
        (None, None) => return None,
    };
    let dish = find(state, caller, id.parse().ok()?).await.ok()?;
    Some(Notice {
        text: page.t(key).replace("{name}", &dish.name),
        allergens: Some(AllergenBadges::of_mask(
            page,
            dish.allergens,
            dish.allergens_stated,
        )),
        href: Some(format!("/municipal/dishes/{}", dish.id)),
    })
}

/// The create form as the list shows it: empty, or what was typed and why it was refused.
#[derive(Default)]
struct NewDishForm {
    form: DishForm,
    errors: FormErrors,
    taken: Option<Taken>,
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    page: Page,
    listing: Listing,
    notice: Option<Notice>,
    new: NewDishForm,
) -> Response {
    let loaded = async {
        let tenant = tenant_of(caller)?;
        let mut pooled = state.db.get().await?;
        let conn = &mut pooled.conn();
        let filter = DishFilter {
            search: Some(listing.q.as_str()).filter(|q| !q.is_empty()),
            allergens_stated: listing.not_stated.then_some(false),
        };
        let offset = i64::from(listing.page - 1) * per_page();
        let (found, total) =
            dishes::list_filtered(conn, tenant, filter, offset, per_page()).await?;
        let missing = DishFilter {
            search: None,
            allergens_stated: Some(false),
        };
        let (_, to_check) = dishes::list_filtered(conn, tenant, missing, 0, 0).await?;
        Ok::<_, AppError>((found, total, to_check))
    }
    .await;
    let (found, total, to_check) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return failed(page, error),
    };
    let rows: Vec<Row> = found
        .iter()
        .map(|dish| Row {
            name: dish.name.clone(),
            href: listing.dish_href(dish.id),
            category: category_label(&page, &dish.category),
            allergens: AllergenBadges::of_mask(&page, dish.allergens, dish.allergens_stated),
        })
        .collect();
    let shown_until =
        i64::from(listing.page - 1) * per_page() + i64::try_from(rows.len()).unwrap_or(0);
    let template = ListTemplate {
        csrf: caller.csrf_token().unwrap_or_default().to_owned(),
        can_edit: is_kitchen_staff(caller),
        heading: heading(&page, &listing),
        showing: showing(&page, &listing, rows.len(), total),
        previous_href: (listing.page > 1 && !rows.is_empty())
            .then(|| listing.href(listing.page - 1)),
        next_href: (shown_until < total && !rows.is_empty())
            .then(|| listing.href(listing.page + 1)),
        first_href: listing.href(1),
        to_check,
        to_check_href: Listing {
            not_stated: true,
            ..Listing::default()
        }
        .href(1),
        rows,
        total,
        listing,
        notice,
        form: new.form,
        errors: new.errors,
        taken: new.taken,
        page,
    };
    render(template.errors.status(), &template)
}

async fn list(
    State(state): State<AppState>,
    console: Console<KitchenReaders>,
    Query(query): Query<ListQuery>,
) -> Response {
    let Console { caller, page, .. } = console;
    let notice = notice(&state, &caller, &page, &query).await;
    list_page(
        &state,
        &caller,
        page,
        query.listing(),
        notice,
        NewDishForm::default(),
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    console: Console<KitchenStaff>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let Console { caller, page, .. } = console;
    let form = DishForm::typed(&Fields(fields));
    let refused = match form.parsed(&page) {
        Ok(allergens) => {
            let body = NewDish {
                name: form.name.clone(),
                category: form.category.clone(),
                allergens,
            };
            match create_dish(&state, &caller, &body).await {
                Ok(dish) => {
                    return Redirect::to(&format!("/municipal/dishes?created={}", dish.id))
                        .into_response();
                }
                Err(error) => Refused::of(&page, error, true),
            }
        }
        Err(errors) => Refused::Invalid(errors),
    };
    let (errors, taken) = match refused {
        Refused::Invalid(errors) => (errors, None),
        Refused::NameTaken(errors) => (errors, taken(&state, &caller, &form.name).await),
        Refused::Failed(error) => return failed(page, error),
        // A new dish has no version to be stale, and no conflict but its name.
        Refused::Stale | Refused::Conflict(_) => return error_page(page, StatusCode::CONFLICT),
    };
    list_page(
        &state,
        &caller,
        page,
        Listing {
            page: 1,
            ..Listing::default()
        },
        None,
        NewDishForm {
            form,
            errors,
            taken,
        },
    )
    .await
}

// ------------------------------------------------------------------ dish ---

/// A field that differs between the stored dish and the form, in a conflict.
struct Difference {
    field: String,
    theirs: String,
    ours: String,
}

#[derive(Template)]
#[template(path = "dishes/dish.html")]
struct DishTemplate {
    page: Page,
    csrf: String,
    can_edit: bool,
    /// As stored: the heading and the read-only view.
    dish_name: String,
    category: String,
    allergens: AllergenBadges,
    version: i64,
    action: String,
    etag: String,
    back: Back,
    saved: bool,
    form: DishForm,
    errors: FormErrors,
    taken: Option<Taken>,
    /// Someone saved first: what differs between their version and the form.
    conflict: Option<Vec<Difference>>,
    delete_errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
struct DishQuery {
    saved: Option<String>,
    back: Option<String>,
}

/// What the dish page shows besides the stored dish.
#[derive(Default)]
struct Shown {
    /// What was typed; `None` shows the stored dish.
    form: Option<DishForm>,
    errors: FormErrors,
    taken: Option<Taken>,
    conflict: bool,
    delete_errors: FormErrors,
    delete_refused: bool,
    saved: bool,
}

fn differences(page: &Page, theirs: &Dish, ours: &DishForm) -> Vec<Difference> {
    let stored = DishForm::of(theirs);
    let mut found = Vec::new();
    let mut differ = |key: &str, theirs: String, ours: String| {
        if theirs != ours {
            found.push(Difference {
                field: page.t(key).to_owned(),
                theirs,
                ours,
            });
        }
    };
    differ(
        "municipal.dishes.name",
        stored.name.clone(),
        super::menus::collapsed(&ours.name),
    );
    differ(
        "municipal.dishes.category",
        category_label(page, &stored.category),
        category_label(page, &ours.category),
    );
    differ(
        "municipal.dishes.allergens",
        stored.mask_names(page),
        ours.mask_names(page),
    );
    found
}

async fn dish_page(
    state: &AppState,
    caller: &Caller,
    page: Page,
    id: i64,
    back: Back,
    shown: Shown,
) -> Response {
    let dish = match find(state, caller, id).await {
        Ok(dish) => dish,
        Err(error) => return failed(page, error),
    };
    let form = shown.form.unwrap_or_else(|| DishForm::of(&dish));
    let conflict = shown.conflict.then(|| differences(&page, &dish, &form));
    let status = if conflict.is_some() || shown.delete_refused {
        StatusCode::CONFLICT
    } else {
        shown.errors.status().max(shown.delete_errors.status())
    };
    let template = DishTemplate {
        csrf: caller.csrf_token().unwrap_or_default().to_owned(),
        can_edit: is_kitchen_staff(caller),
        dish_name: dish.name.clone(),
        category: category_label(&page, &dish.category),
        allergens: AllergenBadges::of_mask(&page, dish.allergens, dish.allergens_stated),
        version: dish.version,
        action: format!("/municipal/dishes/{}", dish.id),
        etag: dish_etag(&dish),
        back,
        saved: shown.saved,
        form,
        errors: shown.errors,
        taken: shown.taken,
        conflict,
        delete_errors: shown.delete_errors,
        page,
    };
    render(status, &template)
}

#[derive(Debug, Default, Deserialize)]
struct ByNameQuery {
    name: Option<String>,
    back: Option<String>,
}

/// `/municipal/dishes/by-name?name=&back=`: the menu editor knows its dishes by name; this
/// opens the dish of that name, or searches for it when there is none (renamed, removed).
async fn by_name(
    State(state): State<AppState>,
    console: Console<KitchenReaders>,
    Query(query): Query<ByNameQuery>,
) -> Response {
    let Console { caller, page, .. } = console;
    let name = super::menus::collapsed(query.name.as_deref().unwrap_or_default());
    let back = Back::from_param(query.back.as_deref().unwrap_or_default());
    let found = async {
        let tenant = tenant_of(&caller)?;
        let mut pooled = state.db.get().await?;
        Ok::<_, AppError>(dishes::find_by_name(&mut pooled.conn(), tenant, &name, None).await?)
    }
    .await;
    match found {
        Ok(Some(dish)) => Redirect::to(&back.dish_href(dish.id)).into_response(),
        Ok(None) => {
            let search = Listing {
                q: name,
                not_stated: false,
                page: 1,
            };
            Redirect::to(&search.href(1)).into_response()
        }
        Err(error) => failed(page, error),
    }
}

async fn show(
    State(state): State<AppState>,
    console: Console<KitchenReaders>,
    Path(id): Path<i64>,
    Query(query): Query<DishQuery>,
) -> Response {
    let Console { caller, page, .. } = console;
    let back = Back::from_param(query.back.as_deref().unwrap_or_default());
    let shown = Shown {
        saved: query.saved.is_some(),
        ..Shown::default()
    };
    dish_page(&state, &caller, page, id, back, shown).await
}

async fn update(
    State(state): State<AppState>,
    console: Console<KitchenStaff>,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let Console { caller, page, .. } = console;
    let fields = Fields(fields);
    let back = Back::from_param(fields.get("back"));
    let form = DishForm::typed(&fields);
    let result = match form.parsed(&page) {
        Ok(allergens) => {
            let change = DishChange {
                name: Some(form.name.clone()),
                category: Some(form.category.clone()),
                allergens,
            };
            update_dish(&state, &caller, id, fields.etag(), &change)
                .await
                .map_err(|error| Refused::of(&page, error, true))
        }
        Err(errors) => Err(Refused::Invalid(errors)),
    };
    let shown = match result {
        Ok(dish) => {
            return Redirect::to(&back.after("saved", &dish.id.to_string())).into_response();
        }
        Err(Refused::Invalid(errors)) => Shown {
            form: Some(form),
            errors,
            ..Shown::default()
        },
        Err(Refused::NameTaken(errors)) => Shown {
            taken: taken(&state, &caller, &form.name).await,
            form: Some(form),
            errors,
            ..Shown::default()
        },
        // Someone saved first: their version is stored, ours stays in the form, and the
        // form now carries their version so saving again puts ours over it.
        Err(Refused::Stale) => Shown {
            form: Some(form),
            conflict: true,
            ..Shown::default()
        },
        // Core reports no other conflict for an update today; whatever it says is passed on.
        Err(Refused::Conflict(detail)) => Shown {
            errors: FormErrors {
                general: Some(format!(
                    "{} ({detail})",
                    page.t("municipal.dishes.not_saved")
                )),
                ..FormErrors::default()
            },
            form: Some(form),
            ..Shown::default()
        },
        Err(Refused::Failed(error)) => return failed(page, error),
    };
    dish_page(&state, &caller, page, id, back, shown).await
}

async fn delete(
    State(state): State<AppState>,
    console: Console<KitchenStaff>,
    Path(id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let Console { caller, page, .. } = console;
    let fields = Fields(fields);
    let back = Back::from_param(fields.get("back"));
    if fields.get("confirm") != "yes" {
        let shown = Shown {
            delete_errors: field_error(&page, "confirm", "municipal.dishes.confirm_required"),
            ..Shown::default()
        };
        return dish_page(&state, &caller, page, id, back, shown).await;
    }
    let error = match delete_dish(&state, &caller, id, fields.etag()).await {
        Ok(()) => {
            let list = if back.is_list() { back } else { Back::list() };
            return Redirect::to(&list.after("deleted", "1")).into_response();
        }
        Err(error) => error,
    };
    // Core refuses a removal only when the dish changed meanwhile today; any other refusal
    // it may add is said with its own words.
    let refused = page.t("municipal.dishes.delete_refused");
    let general = match Refused::of(&page, error, false) {
        Refused::Stale => page.t("municipal.dishes.delete_stale").to_owned(),
        Refused::Conflict(detail) => format!("{refused} ({detail})"),
        Refused::Invalid(errors) | Refused::NameTaken(errors) => {
            let reasons: Vec<String> = errors.fields.into_values().collect();
            format!("{refused} ({})", reasons.join(" "))
        }
        Refused::Failed(error) => return failed(page, error),
    };
    let shown = Shown {
        delete_errors: FormErrors {
            general: Some(general),
            ..FormErrors::default()
        },
        delete_refused: true,
        ..Shown::default()
    };
    dish_page(&state, &caller, page, id, back, shown).await
}
