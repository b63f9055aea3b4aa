//! `/offshore/waste/import`: upload a waste log as CSV, see every row it would create and
//! every error by line, then import it all or nothing. Both steps call the API's
//! `run_import` (the parse runs on FileWork, the apply in one transaction with one audit
//! entry).
//!
//! Between preview and import the file travels in the preview page itself, base64 in a
//! hidden field with a keyed hash (SECRET_KEY) over it and the site, so "Import" stores
//! exactly the file that was previewed, for that site, and nothing is kept on the server in
//! between. Both forms are multipart (the upload needs it).

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use base64::Engine;
use galley_core::auth::token;
use galley_core::http::AppError;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::site_choice::{ChosenSite, page_error};
use galley_core::web::{Page, render};
use serde::Deserialize;

use super::waste_words::{category_label, kg, meal_label};
use super::{site_of, t};
use crate::api::GalleyStaff;
use crate::api::waste_import::{MAX_IMPORT_BYTES, WasteImportReport, run_import};

pub fn router() -> Router<AppState> {
    Router::new().route("/waste/import", get(form_page).post(submit))
}

#[derive(Debug, Default, Deserialize)]
pub struct ImportQuery {
    site: Option<String>,
    done: Option<String>,
}

/// What the form posts besides the CSRF token.
#[derive(Debug, Default)]
struct Posted {
    site: String,
    file: Option<Bytes>,
    data: String,
    hash: String,
}

pub struct RowLine {
    pub line: u64,
    pub date: String,
    pub meal: String,
    pub category: String,
    pub dish: String,
    pub guests: u32,
    pub produced: String,
    pub served: String,
    pub leftover: String,
}

pub struct ErrorLine {
    pub line: u64,
    pub column: String,
    pub reason: String,
}

pub struct Preview {
    pub summary: String,
    pub rows: Vec<RowLine>,
    pub errors: Vec<ErrorLine>,
    pub more_errors: String,
    pub data: String,
    pub hash: String,
}

#[derive(Template)]
#[template(path = "offshore/waste_import.html")]
struct ImportTemplate {
    page: Page,
    site_name: String,
    site_id: i64,
    csrf: String,
    hint: String,
    notice: Option<(&'static str, String)>,
    file_error: Option<String>,
    preview: Option<Preview>,
    waste_href: String,
}

/// The largest file the page can carry from preview to import inside the server's body
/// limit (base64 makes it a third larger).
fn page_limit(state: &AppState) -> usize {
    let room = state.settings.body_limit_bytes.saturating_sub(32 * 1024) / 4 * 3;
    MAX_IMPORT_BYTES
        .min(state.settings.body_limit_bytes)
        .min(room)
}

fn seal(state: &AppState, site_id: i64, data: &str) -> String {
    token::hash(
        &state.settings.secret_key,
        &format!("waste-import\n{site_id}\n{data}"),
    )
}

struct Shown {
    status: StatusCode,
    notice: Option<(&'static str, String)>,
    file_error: Option<String>,
    preview: Option<Preview>,
}

fn shown(
    console: &Console<GalleyStaff>,
    state: &AppState,
    site: &ChosenSite,
    s: Shown,
) -> Response {
    let template = ImportTemplate {
        page: console.page.clone(),
        site_name: site.site.name.clone(),
        site_id: site.site.id,
        csrf: console.csrf(),
        hint: t(&console.page, "import.hint")
            .replace("{kib}", &(page_limit(state) / 1024).to_string()),
        notice: s.notice,
        file_error: s.file_error,
        preview: s.preview,
        waste_href: format!("/offshore/waste{}", site.query()),
    };
    render(s.status, &template)
}

async fn form_page(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    Query(query): Query<ImportQuery>,
) -> Response {
    let site = match site_of(&state, &console.caller, query.site.clone()).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let notice = query
        .done
        .as_deref()
        .and_then(|n| n.parse::<usize>().ok())
        .map(|n| {
            (
                "success",
                t(&console.page, "import.imported").replace("{n}", &n.to_string()),
            )
        });
    shown(
        &console,
        &state,
        &site,
        Shown {
            status: StatusCode::OK,
            notice,
            file_error: None,
            preview: None,
        },
    )
}

async fn read_posted(mut form: Multipart, limit: usize) -> Result<Posted, ()> {
    let mut posted = Posted::default();
    while let Some(mut field) = form.next_field().await.map_err(|_| ())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| ())? {
                if bytes.len() + chunk.len() > limit {
                    return Err(());
                }
                bytes.extend_from_slice(&chunk);
            }
            // A form sent without choosing a file has an empty part.
            if !bytes.is_empty() {
                posted.file = Some(Bytes::from(bytes));
            }
            continue;
        }
        let value = field.text().await.map_err(|_| ())?;
        match name.as_str() {
            "site" => posted.site = value,
            "file_data" => posted.data = value,
            "file_hash" => posted.hash = value,
            _ => {}
        }
    }
    Ok(posted)
}

/// A column as the page names it.
fn column_label(page: &Page, field: &str) -> String {
    match field {
        "file" => t(page, "import.column_file"),
        "line" => t(page, "import.column_line"),
        "date" | "meal" | "category" | "guests" => t(page, &format!("waste.{field}")),
        "dish" => t(page, "import.column_dish"),
        "produced_kg" | "served_kg" | "leftover_kg" => t(page, &format!("waste.{field}")),
        other => match other
            .strip_prefix("columns[")
            .and_then(|rest| rest.strip_suffix(']'))
            .and_then(|i| i.parse::<usize>().ok())
        {
            Some(index) => t(page, "import.column_n").replace("{n}", &(index + 1).to_string()),
            None => other.to_owned(),
        },
    }
}

/// The parser's reason in the reader's language where the page has the words.
fn reason_words(page: &Page, reason: &str) -> String {
    const KNOWN: &[(&str, &str)] = &[
        ("must be a date", "date"),
        ("must be in the years", "years"),
        ("must be a number", "kg"),
        ("must not be negative", "negative"),
        ("must have at most three decimals", "decimals"),
        ("must be at most 100000 kg", "too_large"),
        ("must be a whole number 0 to 2000", "guests"),
        ("must not exceed the produced", "exceeds"),
        ("must be lunch, dinner or night", "meal"),
        ("must be soup, fish", "category"),
        ("column is missing", "missing"),
        ("is empty", "empty"),
        ("must be UTF-8", "utf8"),
        ("must be at most 120 characters", "dish"),
        ("must not contain control characters", "dish"),
    ];
    KNOWN
        .iter()
        .find(|(start, _)| reason.starts_with(start))
        .map(|(_, key)| t(page, &format!("import.reason.{key}")))
        .unwrap_or_else(|| reason.to_owned())
}

fn preview_of(page: &Page, report: &WasteImportReport, data: String, hash: String) -> Preview {
    let summary = if report.errors_total == 0 {
        t(page, "import.ready").replace("{n}", &report.created.to_string())
    } else {
        t(page, "import.has_errors")
            .replace("{errors}", &report.errors_total.to_string())
            .replace("{n}", &report.created.to_string())
    };
    Preview {
        summary,
        rows: report
            .rows
            .iter()
            .map(|row| RowLine {
                line: row.line,
                // Short, so a phone shows more of the row.
                date: match page.lang_code() {
                    "sv" | "nb" => row.date.format("%-d.%-m.%Y").to_string(),
                    _ => row.date.to_string(),
                },
                meal: meal_label(page, row.meal),
                category: category_label(page, row.category),
                dish: row.dish.clone().unwrap_or_default(),
                guests: row.guests,
                produced: kg(page, row.produced_g),
                served: kg(page, row.served_g),
                leftover: kg(page, row.leftover_g),
            })
            .collect(),
        errors: report
            .errors
            .iter()
            .map(|error| ErrorLine {
                line: error.line,
                column: column_label(page, &error.field),
                reason: reason_words(page, &error.reason),
            })
            .collect(),
        more_errors: match report.errors_not_shown {
            0 => String::new(),
            n => t(page, "import.more_errors").replace("{n}", &n.to_string()),
        },
        // Only a file without errors can be imported: nothing to carry otherwise.
        data: if report.errors_total == 0 && report.created > 0 {
            data
        } else {
            String::new()
        },
        hash,
    }
}

async fn submit(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    form: Multipart,
) -> Response {
    let limit = page_limit(&state);
    let posted = read_posted(form, limit).await;
    let site_field = posted.as_ref().map(|p| p.site.clone()).unwrap_or_default();
    let site = match site_of(&state, &console.caller, Some(site_field)).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let page = console.page.clone();
    let refuse = |file_error: String| {
        shown(
            &console,
            &state,
            &site,
            Shown {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                notice: None,
                file_error: Some(file_error),
                preview: None,
            },
        )
    };
    let Ok(posted) = posted else {
        return refuse(t(&page, "import.too_large").replace("{kib}", &(limit / 1024).to_string()));
    };
    let engine = base64::engine::general_purpose::STANDARD;
    let site_id = site.site.id;
    if let Some(file) = posted.file {
        // Preview: report only.
        let data = engine.encode(&file);
        let hash = seal(&state, site_id, &data);
        return match run_import(&state, &console.caller, site_id, file, true).await {
            Ok(report) => {
                let status = if report.errors_total == 0 && report.created > 0 {
                    StatusCode::OK
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                shown(
                    &console,
                    &state,
                    &site,
                    Shown {
                        status,
                        notice: None,
                        file_error: None,
                        preview: Some(preview_of(&page, &report, data, hash)),
                    },
                )
            }
            Err(AppError::Busy { .. }) => refuse(t(&page, "import.busy")),
            Err(error) => page_error(error),
        };
    }
    if posted.data.is_empty() {
        return refuse(t(&page, "import.choose_file"));
    }
    // Import: exactly the previewed file, for this site.
    let bytes = match engine.decode(posted.data.as_bytes()) {
        Ok(bytes) if token::same(&seal(&state, site_id, &posted.data), &posted.hash) => bytes,
        _ => return refuse(t(&page, "import.tampered")),
    };
    match run_import(&state, &console.caller, site_id, Bytes::from(bytes), false).await {
        Ok(report) => {
            let href = format!(
                "/offshore/waste/import?done={}{}",
                report.created,
                super::waste_words::site_param(&site)
            );
            Redirect::to(&href).into_response()
        }
        Err(AppError::Validation(_)) => refuse(t(&page, "import.refused")),
        Err(AppError::Busy { .. }) => refuse(t(&page, "import.busy")),
        Err(error) => page_error(error),
    }
}
