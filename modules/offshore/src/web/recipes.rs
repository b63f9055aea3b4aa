//! `/offshore/recipes`: the tenant's recipes, searchable, and one recipe scaled to a guest
//! count typed on the page, with its allergens, its steps and a link to the printable card.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use galley_core::auth::Role;
use galley_core::http::AppError;
use galley_core::kitchen::recipe_card::allergen_names;
use galley_core::kitchen::recipe_ops::{check_guests, scaled};
use galley_core::kitchen::recipe_store;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::lang::Lang;
use galley_core::web::site_choice::page_error;
use galley_core::web::{Page, render};
use serde::Deserialize;

use crate::api::GalleyReaders;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/recipes", get(list))
        .route("/recipes/{id}", get(one))
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct GuestsQuery {
    guests: Option<String>,
    saved: Option<String>,
}

fn is_staff(console: &Console<GalleyReaders>) -> bool {
    matches!(console.caller.role, Role::Admin | Role::Cook)
}

pub struct RecipeLine {
    pub id: i64,
    pub name: String,
    pub yield_portions: u32,
    pub allergens: String,
}

#[derive(Template)]
#[template(path = "offshore/recipes.html")]
struct ListTemplate {
    page: Page,
    /// May write recipes: the "new recipe" link.
    staff: bool,
    q: String,
    recipes: Vec<RecipeLine>,
}

#[derive(Template)]
#[template(path = "offshore/recipe.html")]
struct RecipeTemplate {
    page: Page,
    staff: bool,
    saved: bool,
    id: i64,
    name: String,
    guests: u32,
    guests_error: Option<String>,
    portions: String,
    allergens: String,
    lines: Vec<(String, String)>,
    steps: Vec<String>,
}

fn lang_of(page: &Page) -> Lang {
    Lang::stored(page.lang_code()).unwrap_or(Lang::DEFAULT)
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn list(
    State(state): State<AppState>,
    console: Console<GalleyReaders>,
    Query(query): Query<ListQuery>,
) -> Response {
    let page = console.page.clone();
    let lang = lang_of(&page);
    let q = query.q.unwrap_or_default();
    let search = Some(q.trim()).filter(|q| !q.is_empty());
    let loaded = async {
        let tenant = galley_core::people::api::tenant_of(&console.caller)?;
        let mut pooled = state.db.get().await?;
        Ok::<_, AppError>(recipe_store::list(&mut pooled.conn(), tenant, search, 0, 200).await?)
    }
    .await;
    let (stored, _) = match loaded {
        Ok(found) => found,
        Err(error) => return page_error(error),
    };
    let recipes = stored
        .into_iter()
        .map(|r| RecipeLine {
            id: r.row.id,
            allergens: allergen_names(&state.i18n, lang, &r.recipe.allergens()),
            yield_portions: r.recipe.yield_portions,
            name: r.recipe.name,
        })
        .collect();
    let staff = is_staff(&console);
    no_store(render(
        StatusCode::OK,
        &ListTemplate {
            page,
            staff,
            q,
            recipes,
        },
    ))
}

async fn one(
    State(state): State<AppState>,
    console: Console<GalleyReaders>,
    Path(id): Path<i64>,
    Query(query): Query<GuestsQuery>,
) -> Response {
    let page = console.page.clone();
    let lang = lang_of(&page);
    let loaded = async {
        let tenant = galley_core::people::api::tenant_of(&console.caller)?;
        let mut pooled = state.db.get().await?;
        recipe_store::find(&mut pooled.conn(), tenant, id)
            .await?
            .ok_or(AppError::NotFound)
    }
    .await;
    let stored = match loaded {
        Ok(stored) => stored,
        Err(error) => return page_error(error),
    };
    let own = stored.recipe.yield_portions;
    let asked = query
        .guests
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty());
    let (guests, guests_error) = match asked.map(str::parse::<u32>) {
        None => (own, None),
        Some(Ok(n)) if check_guests(Some(n), own).is_ok() => (n, None),
        Some(_) => (
            own,
            Some(page.t("offshore.recipes.guests_invalid").to_owned()),
        ),
    };
    let view = match scaled(&stored, guests) {
        Ok(view) => view,
        Err(error) => return page_error(error),
    };
    let card = galley_core::kitchen::recipe_card::card_of(&state.i18n, lang, &view);
    let template = RecipeTemplate {
        page,
        staff: is_staff(&console),
        saved: query.saved.is_some(),
        id,
        name: card.title,
        guests,
        guests_error,
        portions: card.portions,
        allergens: card.allergens,
        lines: card.ingredients,
        steps: card.steps,
    };
    no_store(render(StatusCode::OK, &template))
}
