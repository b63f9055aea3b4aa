//! `/offshore/recipes/new` and `/offshore/recipes/{id}/edit`: a recipe written on a page, for
//! cooks and admins. The form holds the stored lines and a few blank ones (no script needed);
//! blank lines are left out. It saves through the API's create and versioned update, so a
//! refused field is named in the form and nothing is saved, and a form read before someone
//! else's save is shown again as stored.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use galley_core::auth::Caller;
use galley_core::http::AppError;
use galley_core::http::concurrency::etag;
use galley_core::http::problem::FieldError;
use galley_core::kitchen::allergen::Allergen;
use galley_core::kitchen::dishes::{self, DishFilter};
use galley_core::kitchen::recipe_ops::{
    IngredientIn, NewRecipe, RecipeChange, create_recipe, lines_out, update_recipe,
};
use galley_core::kitchen::recipe_store;
use galley_core::kitchen::recipes::Unit;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::site_choice::page_error;
use galley_core::web::{Page, render};

use crate::api::GalleyStaff;

/// Blank ingredient lines the form offers beyond the stored ones.
const BLANK_LINES: usize = 4;
/// The most lines a form may post (the API takes 100).
const MAX_LINES: usize = 100;
/// Dishes offered for the link.
const MAX_DISHES: i64 = 500;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/recipes/new", get(new_form).post(create))
        .route("/recipes/{id}/edit", get(edit_form).post(update))
}

/// One ingredient line as typed.
#[derive(Debug, Clone, Default)]
pub struct LineForm {
    /// Its row in the form (set when the form is shown).
    pub row: usize,
    pub name: String,
    pub amount: String,
    pub unit: String,
    /// Indexes into `Allergen::ALL`.
    pub allergens: Vec<usize>,
}

/// The whole form as typed.
#[derive(Debug, Clone, Default)]
pub struct RecipeForm {
    pub name: String,
    pub yield_portions: String,
    pub dish_id: String,
    pub steps: String,
    pub version: i64,
    pub lines: Vec<LineForm>,
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "offshore/recipe_form.html")]
struct FormTemplate {
    page: Page,
    action: String,
    heading: String,
    back_href: String,
    csrf: String,
    form: RecipeForm,
    units: Vec<Choice>,
    allergens: Vec<Choice>,
    dishes: Vec<Choice>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

impl FormTemplate {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, reason)| reason.as_str())
    }

    fn has_allergen(&self, line: &LineForm, value: &str) -> bool {
        value
            .parse::<usize>()
            .is_ok_and(|index| line.allergens.contains(&index))
    }

    fn line_error(&self, line: &LineForm, field: &str) -> Option<&str> {
        self.error(&format!("line-{}-{field}", line.row))
    }

    /// Every refusal of one line, in the order of its fields.
    fn line_errors(&self, line: &LineForm) -> Vec<&str> {
        ["name", "amount", "unit", "allergens"]
            .iter()
            .filter_map(|field| self.line_error(line, field))
            .collect()
    }
}

/// Reads the posted pairs: `name`, `yield_portions`, `dish_id`, `steps`, `version`, and per
/// line `line-{i}-name`, `-amount`, `-unit`, `-allergen` (repeated).
fn read_pairs(pairs: &[(String, String)]) -> RecipeForm {
    let mut form = RecipeForm::default();
    for (key, value) in pairs {
        match key.as_str() {
            "name" => form.name = value.clone(),
            "yield_portions" => form.yield_portions = value.clone(),
            "dish_id" => form.dish_id = value.clone(),
            "steps" => form.steps = value.clone(),
            "version" => form.version = value.parse().unwrap_or(-1),
            _ => {
                let Some((index, field)) = key
                    .strip_prefix("line-")
                    .and_then(|rest| rest.split_once('-'))
                    .and_then(|(i, field)| Some((i.parse::<usize>().ok()?, field)))
                else {
                    continue;
                };
                if index >= MAX_LINES {
                    continue;
                }
                if form.lines.len() <= index {
                    form.lines.resize(index + 1, LineForm::default());
                }
                let line = &mut form.lines[index];
                match field {
                    "name" => line.name = value.clone(),
                    "amount" => line.amount = value.clone(),
                    "unit" => line.unit = value.clone(),
                    "allergen" => {
                        if let Ok(i) = value.parse::<usize>()
                            && i < Allergen::ALL.len()
                            && !line.allergens.contains(&i)
                        {
                            line.allergens.push(i);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    form
}

/// The lines to send (blank ones left out) and, for each, its row in the form.
fn lines_to_send(form: &RecipeForm) -> (Vec<IngredientIn>, Vec<usize>, Vec<(String, String)>) {
    let mut sent = Vec::new();
    let mut rows = Vec::new();
    let mut refused = Vec::new();
    for (row, line) in form.lines.iter().enumerate() {
        if line.name.trim().is_empty() && line.amount.trim().is_empty() {
            continue;
        }
        let Some(unit) = Unit::parse(&line.unit) else {
            refused.push((format!("line-{row}-unit"), String::new()));
            continue;
        };
        sent.push(IngredientIn {
            name: line.name.clone(),
            amount: line.amount.trim().to_owned(),
            unit,
            allergens: line
                .allergens
                .iter()
                .filter_map(|i| Allergen::ALL.get(*i).copied())
                .collect(),
        });
        rows.push(row);
    }
    (sent, rows, refused)
}

/// The form field an API error belongs to: `ingredients[2].amount` is the third line sent,
/// which is the form's row `rows[2]`.
fn form_field(api_field: &str, rows: &[usize]) -> String {
    if let Some(rest) = api_field.strip_prefix("ingredients[")
        && let Some((index, field)) = rest.split_once("].")
        && let Some(row) = index.parse::<usize>().ok().and_then(|i| rows.get(i))
    {
        return format!("line-{row}-{field}");
    }
    match api_field {
        field if field.starts_with("steps") => "steps".to_owned(),
        field if field.starts_with("ingredients") => "ingredients".to_owned(),
        field => field.to_owned(),
    }
}

/// Each refused field once, in the reader's words where the page has them.
fn words_for(page: &Page, refused: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut errors: Vec<(String, String)> = Vec::new();
    for (field, reason) in refused {
        if errors.iter().any(|(f, _)| *f == field) {
            continue;
        }
        let kind = field.rsplit('-').next().unwrap_or(&field);
        let key = format!("offshore.recipe_form.error.{kind}");
        let words = page.t(&key);
        let words = if words == key || reason.contains("allergen") {
            reason
        } else {
            words.to_owned()
        };
        errors.push((field, words));
    }
    errors
}

fn form_of(stored: &recipe_store::StoredRecipe) -> RecipeForm {
    let recipe = &stored.recipe;
    RecipeForm {
        name: recipe.name.clone(),
        yield_portions: recipe.yield_portions.to_string(),
        dish_id: stored
            .row
            .dish_id
            .map(|d| d.to_string())
            .unwrap_or_default(),
        steps: recipe.steps.join("\n"),
        version: stored.row.version,
        lines: lines_out(recipe)
            .into_iter()
            .enumerate()
            .map(|(row, line)| LineForm {
                row,
                name: line.name,
                amount: line.amount,
                unit: line.unit.code().to_owned(),
                allergens: line
                    .allergens
                    .iter()
                    .filter_map(|a| Allergen::ALL.iter().position(|x| x == a))
                    .collect(),
            })
            .collect(),
    }
}

async fn dish_choices(state: &AppState, caller: &Caller) -> Result<Vec<Choice>, AppError> {
    let tenant = galley_core::people::api::tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    let (dishes, _) = dishes::list_filtered(
        &mut pooled.conn(),
        tenant,
        DishFilter::default(),
        0,
        MAX_DISHES,
    )
    .await?;
    Ok(dishes
        .into_iter()
        .map(|d| Choice {
            value: d.id.to_string(),
            label: d.name,
        })
        .collect())
}

struct Shown {
    form: RecipeForm,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

async fn render_form(
    state: &AppState,
    console: &Console<GalleyStaff>,
    id: Option<i64>,
    shown: Shown,
) -> Response {
    let page = console.page.clone();
    let dishes = match dish_choices(state, &console.caller).await {
        Ok(dishes) => dishes,
        Err(error) => return page_error(error),
    };
    let Shown {
        mut form,
        errors,
        notice,
    } = shown;
    let blanks = form
        .lines
        .iter()
        .rev()
        .take_while(|l| l.name.trim().is_empty() && l.amount.trim().is_empty())
        .count();
    let wanted = (form.lines.len() + BLANK_LINES.saturating_sub(blanks)).min(MAX_LINES);
    form.lines.resize(wanted, LineForm::default());
    for (row, line) in form.lines.iter_mut().enumerate() {
        line.row = row;
    }
    let template = FormTemplate {
        action: id.map_or_else(
            || "/offshore/recipes/new".to_owned(),
            |id| format!("/offshore/recipes/{id}/edit"),
        ),
        heading: match id {
            Some(_) if !form.name.is_empty() => form.name.clone(),
            _ => page.t("offshore.recipe_form.new_title").to_owned(),
        },
        back_href: id.map_or_else(
            || "/offshore/recipes".to_owned(),
            |id| format!("/offshore/recipes/{id}"),
        ),
        csrf: console.csrf(),
        units: Unit::ALL
            .iter()
            .map(|u| Choice {
                value: u.code().to_owned(),
                label: page.t(u.key()).to_owned(),
            })
            .collect(),
        allergens: Allergen::ALL
            .iter()
            .enumerate()
            .map(|(i, a)| Choice {
                value: i.to_string(),
                label: page.t(a.key()).to_owned(),
            })
            .collect(),
        dishes,
        form,
        errors,
        notice,
        page,
    };
    let status = if template.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(status, &template);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn stored(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<recipe_store::StoredRecipe, AppError> {
    let tenant = galley_core::people::api::tenant_of(caller)?;
    let mut pooled = state.db.get().await?;
    recipe_store::find(&mut pooled.conn(), tenant, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn new_form(State(state): State<AppState>, console: Console<GalleyStaff>) -> Response {
    let form = RecipeForm {
        yield_portions: "10".to_owned(),
        ..RecipeForm::default()
    };
    let shown = Shown {
        form,
        errors: Vec::new(),
        notice: None,
    };
    render_form(&state, &console, None, shown).await
}

async fn edit_form(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    Path(id): Path<i64>,
) -> Response {
    match stored(&state, &console.caller, id).await {
        Ok(stored) => {
            let shown = Shown {
                form: form_of(&stored),
                errors: Vec::new(),
                notice: None,
            };
            render_form(&state, &console, Some(id), shown).await
        }
        Err(error) => page_error(error),
    }
}

/// What the form says, ready for the API, or the fields it could not read.
struct Read {
    name: String,
    yield_portions: Option<u32>,
    dish_id: Option<i64>,
    lines: Vec<IngredientIn>,
    rows: Vec<usize>,
    steps: Vec<String>,
    refused: Vec<(String, String)>,
}

fn read(form: &RecipeForm) -> Read {
    let (lines, rows, mut refused) = lines_to_send(form);
    let yield_portions = form.yield_portions.trim().parse::<u32>().ok();
    if yield_portions.is_none() {
        refused.push(("yield_portions".to_owned(), String::new()));
    }
    let dish_id = form.dish_id.trim().parse::<i64>().ok();
    Read {
        name: form.name.clone(),
        yield_portions,
        dish_id,
        lines,
        rows,
        steps: form
            .steps
            .lines()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        refused,
    }
}

fn api_refusal(errors: Vec<FieldError>, rows: &[usize]) -> Vec<(String, String)> {
    errors
        .into_iter()
        .map(|e| (form_field(&e.field, rows), e.reason))
        .collect()
}

async fn create(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Response {
    let form = read_pairs(&pairs);
    let read = read(&form);
    let refused = match (read.refused.is_empty(), read.yield_portions) {
        (true, Some(yield_portions)) => {
            let body = NewRecipe {
                name: read.name,
                dish_id: read.dish_id,
                yield_portions,
                ingredients: read.lines,
                steps: read.steps,
            };
            match create_recipe(&state, &console.caller, &body).await {
                Ok(stored) => {
                    return Redirect::to(&format!("/offshore/recipes/{}", stored.row.id))
                        .into_response();
                }
                Err(AppError::Validation(errors)) => api_refusal(errors, &read.rows),
                Err(AppError::Conflict(reason)) => vec![("dish_id".to_owned(), reason)],
                Err(error) => return page_error(error),
            }
        }
        _ => read.refused,
    };
    let shown = Shown {
        errors: words_for(&console.page, refused),
        form,
        notice: None,
    };
    render_form(&state, &console, None, shown).await
}

async fn update(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Response {
    let form = read_pairs(&pairs);
    let read = read(&form);
    let refused = match (read.refused.is_empty(), read.yield_portions) {
        (true, Some(yield_portions)) => {
            let body = RecipeChange {
                name: Some(read.name),
                dish_id: Some(read.dish_id),
                yield_portions: Some(yield_portions),
                ingredients: Some(read.lines),
                steps: Some(read.steps),
            };
            let expected = etag("recipe", id, form.version);
            match update_recipe(&state, &console.caller, id, Some(&expected), &body).await {
                Ok(_) => {
                    return Redirect::to(&format!("/offshore/recipes/{id}?saved=1"))
                        .into_response();
                }
                Err(AppError::Validation(errors)) => api_refusal(errors, &read.rows),
                Err(AppError::Conflict(reason)) => vec![("dish_id".to_owned(), reason)],
                // Someone saved first: show theirs, and say so.
                Err(AppError::PreconditionFailed { .. }) => {
                    return match stored(&state, &console.caller, id).await {
                        Ok(stored) => {
                            let shown = Shown {
                                form: form_of(&stored),
                                errors: Vec::new(),
                                notice: Some(
                                    console.page.t("offshore.recipe_form.stale").to_owned(),
                                ),
                            };
                            render_form(&state, &console, Some(id), shown).await
                        }
                        Err(error) => page_error(error),
                    };
                }
                Err(error) => return page_error(error),
            }
        }
        _ => read.refused,
    };
    let shown = Shown {
        errors: words_for(&console.page, refused),
        form,
        notice: None,
    };
    render_form(&state, &console, Some(id), shown).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_are_left_out_and_errors_find_their_row() {
        let pairs: Vec<(String, String)> = [
            ("name", "Fiskesuppe"),
            ("line-0-name", "Torsk"),
            ("line-0-amount", "1,5"),
            ("line-0-unit", "kg"),
            ("line-0-allergen", "3"),
            ("line-1-name", ""),
            ("line-1-amount", ""),
            ("line-1-unit", "g"),
            ("line-2-name", "Fløte"),
            ("line-2-amount", "x"),
            ("line-2-unit", "dl"),
            ("line-2-allergen", "99"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let form = read_pairs(&pairs);
        let (sent, rows, refused) = lines_to_send(&form);
        assert_eq!(sent.len(), 2);
        assert_eq!(rows, [0, 2]);
        assert!(refused.is_empty());
        assert_eq!(sent[0].allergens, [Allergen::ALL[3]]);
        assert!(
            sent[1].allergens.is_empty(),
            "an unknown allergen is ignored"
        );
        assert_eq!(form_field("ingredients[1].amount", &rows), "line-2-amount");
        assert_eq!(form_field("steps[3]", &rows), "steps");
        assert_eq!(form_field("name", &rows), "name");
    }
}
