//! `/offshore/rota/settings`: a galley's shift hours, the cover it needs per position and the
//! working-time rules its schedules are checked against. Admins only; the form saves through
//! the same rules and versioned write as `PUT …/rota-settings`.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use galley_core::http::AppError;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::site_choice::{ChosenSite, page_error};
use galley_core::web::{Page, render};
use serde::Deserialize;

use super::{site_of, t};
use crate::api::RotaAdmins;
use crate::api::settings::{RotaSettingsIn, RotaSettingsOut, save_settings, site_settings};
use crate::rotation::coverage::Cover;
use crate::rotation::pattern::DayKind;
use crate::rotation::position::Position;
use crate::rotation::rules::WorkingTimeRules;

pub const PATH: &str = "/offshore/rota/settings";

pub fn router() -> Router<AppState> {
    Router::new().route("/rota/settings", get(show).post(save))
}

#[derive(Debug, Default, Deserialize)]
pub struct SettingsQuery {
    site: Option<String>,
    saved: Option<String>,
}

/// The kinds of shift that need cover, in the order the form shows them.
const COVER_KINDS: [DayKind; 2] = [DayKind::Day, DayKind::Night];

/// The form's field for one cover count, e.g. `cover_night_cook_night`.
fn cover_field(position: Position, kind: DayKind) -> String {
    format!("cover_{}_{}", position.as_str(), kind.as_str())
}

pub struct CoverRow {
    pub label: String,
    /// (field name, label for screen readers) per kind, day first.
    pub cells: Vec<(String, String)>,
}

pub struct FieldView {
    pub name: &'static str,
    pub label: String,
    pub hint: String,
}

const HOUR_FIELDS: [&str; 4] = ["day_start", "day_end", "night_start", "night_end"];
const RULE_FIELDS: [&str; 4] = [
    "max_period_days",
    "max_extended_period_days",
    "max_shift_hours",
    "min_rest_days",
];

fn field_views(page: &Page, names: &[&'static str]) -> Vec<FieldView> {
    names
        .iter()
        .map(|name| FieldView {
            name,
            label: t(page, &format!("rota_settings.{name}")),
            hint: t(page, &format!("rota_settings.hint.{name}")),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "offshore/rota_settings.html")]
struct SettingsTemplate {
    page: Page,
    site_name: String,
    site_id: i64,
    timezone: String,
    version: i64,
    csrf: String,
    cover_rows: Vec<CoverRow>,
    hour_fields: Vec<FieldView>,
    rule_fields: Vec<FieldView>,
    values: HashMap<String, String>,
    errors: Vec<(String, String)>,
    notice: Option<(&'static str, String)>,
    rota_href: String,
}

impl SettingsTemplate {
    fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, reason)| reason.as_str())
    }
}

/// The stored settings as the form's fields.
fn values_of(settings: &RotaSettingsOut) -> HashMap<String, String> {
    let mut values = HashMap::from([
        ("day_start".to_owned(), settings.day_start.clone()),
        ("day_end".to_owned(), settings.day_end.clone()),
        ("night_start".to_owned(), settings.night_start.clone()),
        ("night_end".to_owned(), settings.night_end.clone()),
        (
            "max_period_days".to_owned(),
            settings.rules.max_period_days.to_string(),
        ),
        (
            "max_extended_period_days".to_owned(),
            settings.rules.max_extended_period_days.to_string(),
        ),
        (
            "max_shift_hours".to_owned(),
            hours_text(settings.rules.max_shift_minutes),
        ),
        (
            "min_rest_days".to_owned(),
            settings.rules.min_rest_days.to_string(),
        ),
    ]);
    for position in Position::ALL {
        for kind in COVER_KINDS {
            let count = settings
                .cover
                .iter()
                .find(|c| c.position == position && c.kind == kind)
                .map_or(0, |c| c.count);
            values.insert(cover_field(position, kind), count.to_string());
        }
    }
    values
}

/// 720 minutes as "12", 750 as "12.5": the form asks for hours.
fn hours_text(minutes: u32) -> String {
    if minutes.is_multiple_of(60) {
        (minutes / 60).to_string()
    } else {
        format!("{}", f64::from(minutes) / 60.0)
    }
}

/// Hours as typed ("12", "12,5", "12.25") in whole minutes.
fn minutes_of(text: &str) -> Option<u32> {
    let hours: f64 = text.trim().replace(',', ".").parse().ok()?;
    let minutes = (hours * 60.0).round();
    (hours.is_finite() && (0.0..=1440.0).contains(&minutes)).then_some(minutes as u32)
}

/// What the form says, or the fields it could not read.
fn read_form(values: &HashMap<String, String>) -> Result<RotaSettingsIn, Vec<&'static str>> {
    let text = |field: &str| values.get(field).map_or("", |v| v.trim()).to_owned();
    let mut unreadable = Vec::new();
    let mut number = |field: &'static str| {
        let parsed = text(field).parse::<u32>().ok();
        if parsed.is_none() {
            unreadable.push(field);
        }
        parsed.unwrap_or(0)
    };
    let rules = WorkingTimeRules {
        max_period_days: number("max_period_days"),
        max_extended_period_days: number("max_extended_period_days"),
        max_shift_minutes: 0,
        min_rest_days: number("min_rest_days"),
    };
    let mut cover = Vec::new();
    for position in Position::ALL {
        for kind in COVER_KINDS {
            let field = cover_field(position, kind);
            let typed = text(&field);
            // An empty box needs nobody, like 0.
            let count = if typed.is_empty() {
                Some(0)
            } else {
                typed.parse::<u32>().ok()
            };
            match count {
                Some(0) => {}
                Some(count) => cover.push(Cover {
                    position,
                    kind,
                    count,
                }),
                None => unreadable.push("cover"),
            }
        }
    }
    let max_shift_minutes = minutes_of(&text("max_shift_hours"));
    if max_shift_minutes.is_none() {
        unreadable.push("max_shift_hours");
    }
    if !unreadable.is_empty() {
        return Err(unreadable);
    }
    Ok(RotaSettingsIn {
        day_start: text("day_start"),
        day_end: text("day_end"),
        night_start: text("night_start"),
        night_end: text("night_end"),
        cover,
        rules: WorkingTimeRules {
            max_shift_minutes: max_shift_minutes.unwrap_or_default(),
            ..rules
        },
    })
}

/// The form field an API field error belongs to.
fn form_field(api_field: &str) -> &str {
    match api_field {
        "rules.max_shift_minutes" => "max_shift_hours",
        field if field.starts_with("cover") => "cover",
        field => field.strip_prefix("rules.").unwrap_or(field),
    }
}

fn error_words(page: &Page, field: &str) -> (String, String) {
    (
        field.to_owned(),
        t(page, &format!("rota_settings.error.{field}")),
    )
}

/// A refused form: what was typed, and each refused field once, in the reader's words.
struct Refused {
    values: HashMap<String, String>,
    errors: Vec<(String, String)>,
}

impl Refused {
    fn new<'a>(
        page: &Page,
        values: HashMap<String, String>,
        fields: impl Iterator<Item = &'a str>,
    ) -> Self {
        let mut errors: Vec<(String, String)> = Vec::new();
        for field in fields {
            if !errors.iter().any(|(f, _)| f == field) {
                errors.push(error_words(page, field));
            }
        }
        Refused { values, errors }
    }
}

/// The form: the stored settings, or a refused form as typed; with a notice above it.
async fn render_form(
    state: &AppState,
    console: &Console<RotaAdmins>,
    site: &ChosenSite,
    refused: Option<Refused>,
    notice: Option<(&'static str, String)>,
) -> Response {
    let page = console.page.clone();
    let (stored_site, settings) = match site_settings(state, &console.caller, site.site.id).await {
        Ok(found) => found,
        Err(error) => return page_error(error),
    };
    let stored = RotaSettingsOut::new(&settings, &stored_site);
    let Refused { values, errors } = refused.unwrap_or_else(|| Refused {
        values: values_of(&stored),
        errors: Vec::new(),
    });
    let cover_rows = Position::ALL
        .iter()
        .map(|position| {
            let label = t(&page, &format!("position.{}", position.as_str()));
            CoverRow {
                cells: COVER_KINDS
                    .iter()
                    .map(|kind| {
                        let kind_words = t(&page, &format!("rota.kind.{}", kind.as_str()));
                        (
                            cover_field(*position, *kind),
                            format!("{label}, {kind_words}"),
                        )
                    })
                    .collect(),
                label,
            }
        })
        .collect();
    let template = SettingsTemplate {
        site_name: site.site.name.clone(),
        site_id: site.site.id,
        timezone: stored.timezone.clone(),
        version: stored.version,
        csrf: console.csrf(),
        cover_rows,
        hour_fields: field_views(&page, &HOUR_FIELDS),
        rule_fields: field_views(&page, &RULE_FIELDS),
        values,
        errors,
        notice,
        rota_href: format!("/offshore/rota{}", site.query()),
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

async fn show(
    State(state): State<AppState>,
    console: Console<RotaAdmins>,
    Query(query): Query<SettingsQuery>,
) -> Response {
    let site = match site_of(&state, &console.caller, query.site).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    // After a save: the saved values, read back, with a confirmation.
    let notice = (query.saved.as_deref() == Some("1"))
        .then(|| ("success", t(&console.page, "rota_settings.saved")));
    render_form(&state, &console, &site, None, notice).await
}

async fn save(
    State(state): State<AppState>,
    console: Console<RotaAdmins>,
    axum::Form(values): axum::Form<HashMap<String, String>>,
) -> Response {
    let site = match site_of(&state, &console.caller, values.get("site").cloned()).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let page = console.page.clone();
    let body = match read_form(&values) {
        Ok(body) => body,
        Err(fields) => {
            let refused = Refused::new(&page, values, fields.into_iter());
            return render_form(&state, &console, &site, Some(refused), None).await;
        }
    };
    let version = values
        .get("version")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(-1);
    let expected = crate::api::settings::settings_etag(site.site.id, version);
    match save_settings(
        &state,
        &console.caller,
        site.site.id,
        Some(&expected),
        &body,
    )
    .await
    {
        Ok(_) => {
            let mut href = format!("{PATH}?saved=1");
            if !site.choices.is_empty() {
                href.push_str(&format!("&site={}", site.site.id));
            }
            Redirect::to(&href).into_response()
        }
        Err(AppError::Validation(errors)) => {
            let fields = errors.iter().map(|e| form_field(&e.field));
            let refused = Refused::new(&page, values, fields);
            render_form(&state, &console, &site, Some(refused), None).await
        }
        // Someone saved in between: show what is stored now, and say so.
        Err(AppError::PreconditionFailed { .. }) => {
            let notice = Some(("warning", t(&page, "rota_settings.stale")));
            render_form(&state, &console, &site, None, notice).await
        }
        Err(error) => page_error(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_hours_are_read_with_a_comma_or_a_point() {
        assert_eq!(minutes_of("12"), Some(720));
        assert_eq!(minutes_of("12,5"), Some(750));
        assert_eq!(minutes_of(" 12.25 "), Some(735));
        assert_eq!(minutes_of("twelve"), None);
        assert_eq!(minutes_of("-1"), None);
        assert_eq!(minutes_of("25"), None);
        assert_eq!(hours_text(720), "12");
        assert_eq!(hours_text(750), "12.5");
    }

    #[test]
    fn an_empty_cover_box_needs_nobody_and_a_word_is_unreadable() {
        let mut values = values_of(&RotaSettingsOut::new(
            &crate::rota::settings::RotaSettings::defaults(1),
            &galley_core::people::sites::Site {
                id: 1,
                tenant_id: 1,
                name: "Rig".into(),
                timezone: "Europe/Oslo".into(),
                version: 1,
                created_at: chrono::NaiveDateTime::default(),
                updated_at: chrono::NaiveDateTime::default(),
                language: None,
            },
        ));
        values.insert(cover_field(Position::Cook, DayKind::Day), String::new());
        let body = read_form(&values).unwrap();
        assert!(
            !body
                .cover
                .iter()
                .any(|c| c.position == Position::Cook && c.kind == DayKind::Day)
        );
        values.insert(cover_field(Position::Cook, DayKind::Day), "two".into());
        assert_eq!(read_form(&values).unwrap_err(), vec!["cover"]);
    }
}
