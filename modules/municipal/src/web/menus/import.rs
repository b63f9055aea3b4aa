//! `/municipal/menus/import`: upload a menu file, see what it would do, then import it.
//!
//! The preview and the import are two requests. Between them the file travels in the
//! preview page itself: its bytes base64 in a hidden field, with a keyed hash (SECRET_KEY)
//! over them, the file's name and type and the year, so that "Importera" imports exactly
//! the file and year that were previewed, and nothing is stored on the server in between.
//! Both forms are multipart (the upload needs it), so a file of about three quarters of the
//! server's body limit at most can go through the page (768 KiB of the default 1 MiB).

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::response::Response;
use axum::routing::get;
use base64::Engine;
use galley_core::auth::Caller;
use galley_core::auth::token;
use galley_core::http::AppError;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::{Page, render};

use super::import_errors::row_error_text;
use super::{KitchenSite, day_label, failed, no_kitchen, week_name, week_range};
use crate::api::KitchenStaff;
use crate::api::import::{
    FileProblem, ImportReport, Upload, check_year, effective_limit, import_parsed, read_file,
};
use crate::import::apply::RowOutcome;
use crate::import::parse::FileError;

pub fn router() -> Router<AppState> {
    Router::new().route("/menus/import", get(show).post(submit))
}

/// What the form posts besides the CSRF token.
#[derive(Debug, Default)]
struct Posted {
    year: String,
    upload: Option<Upload>,
    carried: Option<Carried>,
    apply: bool,
}

/// The previewed file, as the preview page carries it to the import.
#[derive(Debug, Default, Clone)]
struct Carried {
    name: String,
    content_type: String,
    data: String,
    hash: String,
}

/// One line of the preview table: a row of the file, or an error on a line.
struct PreviewRow {
    line: usize,
    week: String,
    day: String,
    slot: String,
    dish: String,
    outcome: &'static str,
    outcome_label: String,
    previous: Option<String>,
    new_dish: bool,
    error: Option<String>,
}

struct WeekCard {
    label: String,
    href: String,
    state: String,
    published: bool,
    marks_changed: bool,
    created: usize,
    changed: usize,
    unchanged: usize,
    written: bool,
}

#[derive(Template)]
#[template(path = "menus/import.html")]
struct ImportTemplate {
    page: Page,
    section: &'static str,
    /// Only kitchen staff reach this page.
    can_edit: bool,
    csrf: String,
    site_name: String,
    year: String,
    year_error: Option<String>,
    file_error: Option<String>,
    max_kib: usize,
    report: Option<ReportView>,
}

struct ReportView {
    applied: bool,
    file_name: String,
    format: String,
    rows: usize,
    created: usize,
    changed: usize,
    unchanged: usize,
    error_count: usize,
    /// "… and 1234 more errors", when the report leaves some out.
    errors_not_shown: Option<String>,
    new_dishes: Vec<String>,
    weeks: Vec<WeekCard>,
    table: Vec<PreviewRow>,
    carried: Carried,
    year: i32,
    general: Option<String>,
}

/// The largest file the page can carry from preview to import inside the server's body limit.
fn page_limit(state: &AppState) -> usize {
    let room = state.settings.body_limit_bytes.saturating_sub(32 * 1024) / 4 * 3;
    effective_limit(state).min(room)
}

async fn kitchen(state: &AppState, caller: &Caller) -> Result<KitchenSite, Response> {
    match KitchenSite::of(state, caller).await {
        Ok(Some(kitchen)) => Ok(kitchen),
        Ok(None) => Err(no_kitchen()),
        Err(error) => Err(failed(error)),
    }
}

fn form_page(
    state: &AppState,
    caller: &Caller,
    page: Page,
    kitchen: &KitchenSite,
    year: String,
    errors: (Option<String>, Option<String>),
    report: Option<ReportView>,
) -> Response {
    let (year_error, file_error) = errors;
    let status = if year_error.is_some() || file_error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    render(
        status,
        &ImportTemplate {
            page,
            section: "import",
            can_edit: true,
            csrf: caller.csrf_token().unwrap_or_default().to_owned(),
            site_name: kitchen.name.clone(),
            year,
            year_error,
            file_error,
            max_kib: page_limit(state) / 1024,
            report,
        },
    )
}

async fn show(State(state): State<AppState>, console: Console<KitchenStaff>) -> Response {
    let kitchen = match kitchen(&state, &console.caller).await {
        Ok(kitchen) => kitchen,
        Err(response) => return response,
    };
    let year = kitchen.this_week().year.to_string();
    form_page(
        &state,
        &console.caller,
        console.page,
        &kitchen,
        year,
        (None, None),
        None,
    )
}

async fn read_posted(mut form: Multipart, limit: usize) -> Result<Posted, AppError> {
    let mut posted = Posted::default();
    let mut carried = Carried::default();
    let too_large = || AppError::PayloadTooLarge { limit };
    while let Some(mut field) = form.next_field().await.map_err(|_| too_large())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().map(str::to_owned);
            let content_type = field.content_type().map(str::to_owned);
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| too_large())? {
                if bytes.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&chunk);
            }
            // A form sent without choosing a file has an empty, nameless part.
            if !bytes.is_empty() || file_name.as_deref().is_some_and(|n| !n.is_empty()) {
                posted.upload = Some(Upload {
                    file_name,
                    content_type,
                    bytes: Bytes::from(bytes),
                });
            }
            continue;
        }
        let value = field.text().await.map_err(|_| too_large())?;
        match name.as_str() {
            "year" => posted.year = value.trim().to_owned(),
            "apply" => posted.apply = value == "1",
            "file_name" => carried.name = value,
            "file_type" => carried.content_type = value,
            "file_data" => carried.data = value,
            "file_hash" => carried.hash = value,
            _ => {}
        }
    }
    if !carried.data.is_empty() {
        posted.carried = Some(carried);
    }
    Ok(posted)
}

/// What the hash covers: everything that decides what the import does.
fn seal(state: &AppState, year: i32, carried: &Carried) -> String {
    token::hash(
        &state.settings.secret_key,
        &format!(
            "menu-import\n{year}\n{}\n{}\n{}",
            carried.name, carried.content_type, carried.data
        ),
    )
}

/// Why the file cannot be read, in the reader's language.
fn file_problem_text(page: &Page, problem: &FileProblem, max_kib: usize) -> String {
    let key = match problem {
        FileProblem::TooLarge { .. } => {
            return page
                .t("municipal.menus.import_too_large")
                .replace("{kib}", &max_kib.to_string());
        }
        FileProblem::Unsupported => "municipal.menus.import_unsupported",
        FileProblem::Busy { retry_after_secs } => {
            return page
                .t("municipal.menus.import_busy")
                .replace("{seconds}", &retry_after_secs.to_string());
        }
        FileProblem::Failed(_) => "municipal.menus.import_failed",
        FileProblem::Unreadable(error) => match error {
            FileError::Empty => "municipal.menus.import_empty",
            FileError::NoDishes => "municipal.menus.import_no_dishes",
            FileError::TooLarge { .. } | FileError::TooManyRows { .. } => {
                "municipal.menus.import_too_big_inside"
            }
            FileError::NotText => "municipal.menus.import_not_text",
            FileError::NotXlsx { .. } | FileError::NoWorksheet | FileError::CellOutOfRange => {
                "municipal.menus.import_not_xlsx"
            }
            FileError::TooManyEntries { .. }
            | FileError::TooManyCells { .. }
            | FileError::TextTooLong { .. }
            | FileError::TooComplex => "municipal.menus.import_too_complex",
            FileError::NotDocx { .. } => "municipal.menus.import_not_docx",
            FileError::NoHeader => "municipal.menus.import_no_header",
            FileError::MissingColumns { missing, .. } => {
                return page
                    .t("municipal.menus.import_missing_columns")
                    .replace("{columns}", &missing.join(", "));
            }
            FileError::NoWeekHeading => "municipal.menus.import_no_week_heading",
        },
    };
    page.t(key).to_owned()
}

async fn submit(
    State(state): State<AppState>,
    console: Console<KitchenStaff>,
    form: Multipart,
) -> Response {
    let Console { caller, page, .. } = console;
    let kitchen = match kitchen(&state, &caller).await {
        Ok(kitchen) => kitchen,
        Err(response) => return response,
    };
    let max = page_limit(&state);
    let max_kib = max / 1024;
    let posted = match read_posted(form, max).await {
        Ok(posted) => posted,
        Err(_) => {
            let year = kitchen.this_week().year.to_string();
            let text = page
                .t("municipal.menus.import_too_large")
                .replace("{kib}", &max_kib.to_string());
            return form_page(
                &state,
                &caller,
                page,
                &kitchen,
                year,
                (None, Some(text)),
                None,
            );
        }
    };
    let year = match posted
        .year
        .parse::<i32>()
        .ok()
        .and_then(|y| check_year(y).ok())
    {
        Some(year) => year,
        None => {
            let text = page.t("municipal.menus.import_year_invalid").to_owned();
            return form_page(
                &state,
                &caller,
                page,
                &kitchen,
                posted.year,
                (Some(text), None),
                None,
            );
        }
    };
    let (upload, carried) = match (posted.upload, posted.carried) {
        (Some(upload), _) => {
            let carried = Carried {
                name: upload.file_name.clone().unwrap_or_default(),
                content_type: upload.content_type.clone().unwrap_or_default(),
                data: base64::engine::general_purpose::STANDARD.encode(&upload.bytes),
                hash: String::new(),
            };
            (upload, carried)
        }
        (None, Some(carried)) => {
            let bytes = base64::engine::general_purpose::STANDARD.decode(&carried.data);
            match bytes {
                Ok(bytes) if token::same(&seal(&state, year, &carried), &carried.hash) => {
                    let upload = Upload {
                        file_name: Some(carried.name.clone()).filter(|n| !n.is_empty()),
                        content_type: Some(carried.content_type.clone()).filter(|t| !t.is_empty()),
                        bytes: Bytes::from(bytes),
                    };
                    (upload, carried)
                }
                _ => {
                    let text = page.t("municipal.menus.import_upload_again").to_owned();
                    return form_page(
                        &state,
                        &caller,
                        page,
                        &kitchen,
                        year.to_string(),
                        (None, Some(text)),
                        None,
                    );
                }
            }
        }
        (None, None) => {
            let text = page.t("municipal.menus.import_choose_file").to_owned();
            return form_page(
                &state,
                &caller,
                page,
                &kitchen,
                year.to_string(),
                (None, Some(text)),
                None,
            );
        }
    };
    let carried = Carried {
        hash: seal(&state, year, &carried),
        ..carried
    };
    let (format, parsed) = match read_file(&state, &upload, year).await {
        Ok(read) => read,
        Err(FileProblem::Failed(cause)) => return failed(AppError::Internal(cause)),
        Err(problem) => {
            let text = file_problem_text(&page, &problem, max_kib);
            return form_page(
                &state,
                &caller,
                page,
                &kitchen,
                year.to_string(),
                (None, Some(text)),
                None,
            );
        }
    };
    let dry_run = !posted.apply;
    let result = import_parsed(
        &state,
        &caller,
        kitchen.id,
        (format, year),
        parsed.clone(),
        dry_run,
    )
    .await;
    let (report, general) = match result {
        Ok(report) => (report, None),
        // Refused (errors in the file) or overtaken by another change: show the preview as it
        // stands now, with why.
        Err(AppError::Validation(_) | AppError::Conflict(_)) => {
            match import_parsed(&state, &caller, kitchen.id, (format, year), parsed, true).await {
                Ok(report) => (
                    report,
                    Some(page.t("municipal.menus.import_not_applied").to_owned()),
                ),
                Err(error) => return failed(error),
            }
        }
        Err(error) => return failed(error),
    };
    let view = report_view(&page, &report, carried, year, general);
    form_page(
        &state,
        &caller,
        page,
        &kitchen,
        year.to_string(),
        (None, None),
        Some(view),
    )
}

/// The report as the page shows it: week cards, and one table of rows and errors by line.
fn report_view(
    page: &Page,
    report: &ImportReport,
    carried: Carried,
    year: i32,
    general: Option<String>,
) -> ReportView {
    let slot_label = |meal: &str, slot: &str| {
        let key = match (meal, slot) {
            ("dinner", _) => "municipal.menus.slot_dinner",
            (_, "alt2") => "municipal.menus.slot_alt2",
            (_, "dessert") => "municipal.menus.slot_dessert",
            _ => "municipal.menus.slot_alt1",
        };
        page.t(key).to_owned()
    };
    let mut table: Vec<PreviewRow> = report
        .rows
        .iter()
        .map(|row| {
            let week = IsoWeek {
                year: row.year,
                week: row.week,
            };
            let (outcome, key) = match row.outcome {
                RowOutcome::Created => ("created", "municipal.menus.outcome_created"),
                RowOutcome::Changed => ("changed", "municipal.menus.outcome_changed"),
                RowOutcome::Unchanged => ("unchanged", "municipal.menus.outcome_unchanged"),
            };
            PreviewRow {
                line: row.line,
                week: format!("{} {}", week_name(page, week), row.year),
                day: day_label(page, week, row.day),
                slot: slot_label(&row.meal, &row.slot),
                dish: row.dish.clone(),
                outcome,
                outcome_label: page.t(key).to_owned(),
                previous: row.previous_dish.as_ref().map(|dish| dish.name.clone()),
                new_dish: row.new_dish,
                error: None,
            }
        })
        .collect();
    table.extend(report.errors.iter().map(|error| PreviewRow {
        line: error.line,
        week: String::new(),
        day: String::new(),
        slot: String::new(),
        dish: String::new(),
        outcome: "error",
        outcome_label: page.t("municipal.menus.outcome_error").to_owned(),
        previous: None,
        new_dish: false,
        error: Some(row_error_text(page, error)),
    }));
    // Stable: a line's error follows the line's row, if it has both.
    table.sort_by_key(|row| row.line);
    let weeks = report
        .weeks
        .iter()
        .map(|plan| {
            let week = IsoWeek {
                year: plan.year,
                week: plan.week,
            };
            let state_key = if !plan.exists && !plan.written {
                "municipal.menus.week_new"
            } else if plan.status == "published" {
                "municipal.menus.status_published"
            } else {
                "municipal.menus.status_draft"
            };
            WeekCard {
                label: format!(
                    "{} {} ({})",
                    week_name(page, week),
                    plan.year,
                    week_range(page, week, false)
                ),
                href: format!("/municipal/menus/{}/{}", plan.year, plan.week),
                state: page.t(state_key).to_owned(),
                published: plan.status == "published",
                marks_changed: plan.marks_changed,
                created: plan.created,
                changed: plan.changed,
                unchanged: plan.unchanged,
                written: plan.written,
            }
        })
        .collect();
    ReportView {
        applied: report.applied,
        file_name: carried.name.clone(),
        format: report.format.to_uppercase(),
        rows: report.summary.rows,
        created: report.summary.created,
        changed: report.summary.changed,
        unchanged: report.summary.unchanged,
        error_count: report.summary.errors,
        errors_not_shown: (report.errors_not_shown > 0).then(|| {
            page.t("municipal.menus.errors_not_shown")
                .replace("{count}", &report.errors_not_shown.to_string())
        }),
        new_dishes: report
            .new_dishes
            .iter()
            .map(|dish| dish.name.clone())
            .collect(),
        weeks,
        table,
        carried,
        year,
        general,
    }
}
