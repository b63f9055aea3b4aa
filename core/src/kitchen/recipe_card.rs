//! `GET /api/v1/recipes/{id}/card.pdf`: the printable recipe card for a guest count, in the
//! reader's language, rendered on a file worker.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::allergen::Allergen;
use super::api::DishReaders;
use super::recipe_ops::{ScaledRecipe, check_guests, scaled};
use super::recipe_store;
use crate::auth::Allowed;
use crate::http::problem::FieldError;
use crate::http::{ApiQuery, AppError};
use crate::pdf::card::{self, Card};
use crate::people::api::tenant_of;
use crate::web::i18n::I18n;
use crate::web::lang::Lang;

/// `?guests=N&lang=sv|nb|en`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CardQuery {
    /// The guest count (1 to 10000); the recipe's yield when left out.
    #[param(minimum = 1, maximum = 10000)]
    pub guests: Option<u32>,
    /// The card's language; the reader's when left out.
    pub lang: Option<String>,
}

/// "Gluten, Milk" in `lang`.
pub fn allergen_names(i18n: &I18n, lang: Lang, allergens: &[Allergen]) -> String {
    allergens
        .iter()
        .map(|a| i18n.text(lang, a.key()).to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The decimal separator of `lang`.
pub fn decimal(lang: Lang) -> char {
    if lang == Lang::En { '.' } else { ',' }
}

/// The card's words for a scaled recipe.
pub fn card_of(i18n: &I18n, lang: Lang, recipe: &ScaledRecipe) -> Card {
    let t = |key: &str| i18n.text(lang, key).to_owned();
    let allergens = if recipe.allergens.is_empty() {
        t("recipe.no_allergens")
    } else {
        format!(
            "{}: {}",
            t("recipe.allergens"),
            allergen_names(i18n, lang, &recipe.allergens)
        )
    };
    let ingredients = recipe
        .ingredients
        .iter()
        .map(|line| {
            let amount = line.amount.replace('.', &decimal(lang).to_string());
            let unit = t(line.unit.key());
            (format!("{amount} {unit}"), line.name.clone())
        })
        .collect();
    Card {
        title: recipe.name.clone(),
        portions: t("recipe.card_portions")
            .replace("{guests}", &recipe.guests.to_string())
            .replace("{yield}", &recipe.yield_portions.to_string()),
        allergens,
        ingredients_heading: t("recipe.ingredients"),
        ingredients,
        steps_heading: t("recipe.steps"),
        steps: recipe.steps.clone(),
    }
}

fn card_lang(query: Option<&str>, headers: &HeaderMap) -> Result<Lang, AppError> {
    match query {
        None => Ok(Lang::negotiate(None, headers)),
        Some(code) => Lang::stored(code).ok_or_else(|| {
            AppError::Validation(vec![FieldError {
                field: "lang".into(),
                reason: "must be sv, nb or en".into(),
            }])
        }),
    }
}

/// The printable recipe card (PDF, A4) for a guest count.
#[utoipa::path(get, path = "/api/v1/recipes/{id}/card.pdf", tag = "recipes",
    params(("id" = i64, Path), CardQuery),
    responses((status = 200, description = "The card", content_type = "application/pdf", body = Vec<u8>),
        (status = 404), (status = 422), (status = 503)))]
pub async fn card(
    State(state): State<crate::state::AppState>,
    Allowed(caller, _): Allowed<DishReaders>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<CardQuery>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let lang = card_lang(query.lang.as_deref(), &headers)?;
    // The slot first: requests waiting for a worker hold no recipe.
    let slot = state.file_work.reserve("recipe_card_pdf").await?;
    let stored = {
        let mut pooled = state.db.get().await?;
        recipe_store::find(&mut pooled.conn(), tenant, id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let guests = check_guests(query.guests, stored.recipe.yield_portions)?;
    let card = card_of(&state.i18n, lang, &scaled(&stored, guests)?);
    let body = slot
        .run(move |_deadline| card::render(&card))
        .await?
        .map_err(|e| AppError::Internal(format!("cannot render the recipe card: {e}")))?;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let disposition = format!("inline; filename=\"recipe-{id}-{guests}.pdf\"");
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
