//! `/api/v1/municipal/sites/{site_id}/reports/weekly/{year}/{week}`: the finance office's
//! weekly report, as JSON or as a CSV, XLSX or PDF download. The numbers are
//! `report::build::weekly` of the same `WeekData` the plans are computed from, so the report's
//! totals are the plans' totals; the files are `report::render` of that one model.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use galley_core::auth::Allowed;
use galley_core::http::{ApiQuery, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::kitchen::iso_week::IsoWeek;
use galley_core::kitchen::menu_api::week_from_path;
use galley_core::state::AppState;
use galley_core::web::lang::Lang;
use serde::Deserialize;
use utoipa::OpenApi;

use super::KitchenReaders;
use super::planning::load_site_week;
use super::ready_site::{SiteRead, site_answer};
use crate::report::model::{ReportLabels, WeeklyReport};
use crate::report::{build, render};
use crate::words::Words;

pub fn router() -> Router<AppState> {
    Router::new().route("/sites/{site_id}/reports/weekly/{year}/{week}", get(weekly))
}

#[derive(OpenApi)]
#[openapi(
    paths(weekly),
    tags((name = "reports", description = "Weekly reports for the finance office"))
)]
pub struct ReportsApi;

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// How the report is sent.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `json`, `csv`, `xlsx` or `pdf`. Left out, the `Accept` header decides (`text/csv`,
    /// the XLSX type, `application/pdf`), and JSON otherwise. The CSV holds the department
    /// table, an empty line, then the special portions per diet type (the XLSX's second sheet).
    pub format: Option<String>,
    /// For CSV: `semicolon` (the default, for Swedish Excel) or `comma`.
    pub delimiter: Option<String>,
    /// The language of the files' words: `sv`, `nb` or `en`. Left out: the `galley_lang` cookie,
    /// then `Accept-Language`, then Swedish, as for the pages.
    pub lang: Option<String>,
}

/// What the report is answered as: the JSON document, or a file to download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    File(FileFormat),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileFormat {
    Csv,
    Xlsx,
    Pdf,
}

impl Format {
    fn chosen(query: Option<&str>, headers: &HeaderMap) -> Result<Format, AppError> {
        match query {
            Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::File(FileFormat::Csv)),
            Some("xlsx") => Ok(Format::File(FileFormat::Xlsx)),
            Some("pdf") => Ok(Format::File(FileFormat::Pdf)),
            Some(_) => Err(AppError::validation(
                "format",
                "must be json, csv, xlsx or pdf",
            )),
            None => Ok(Format::accepted(headers)),
        }
    }

    /// The first file type the `Accept` header names; JSON for anything else.
    fn accepted(headers: &HeaderMap) -> Format {
        let accept = headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        accept
            .split(',')
            .map(|part| part.split(';').next().unwrap_or_default().trim())
            .find_map(|media| match media.to_ascii_lowercase().as_str() {
                "text/csv" => Some(Format::File(FileFormat::Csv)),
                XLSX_TYPE => Some(Format::File(FileFormat::Xlsx)),
                "application/pdf" => Some(Format::File(FileFormat::Pdf)),
                "application/json" => Some(Format::Json),
                _ => None,
            })
            .unwrap_or(Format::Json)
    }
}

impl FileFormat {
    fn content_type(self) -> &'static str {
        match self {
            FileFormat::Csv => "text/csv; charset=utf-8",
            FileFormat::Xlsx => XLSX_TYPE,
            FileFormat::Pdf => "application/pdf",
        }
    }

    /// The file work's name in `/metrics`.
    fn work_kind(self) -> &'static str {
        match self {
            FileFormat::Csv => "report_csv",
            FileFormat::Xlsx => "report_xlsx",
            FileFormat::Pdf => "report_pdf",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
            FileFormat::Pdf => "pdf",
        }
    }
}

fn delimiter(query: Option<&str>) -> Result<u8, AppError> {
    match query {
        None | Some("semicolon") => Ok(b';'),
        Some("comma") => Ok(b','),
        Some(_) => Err(AppError::validation(
            "delimiter",
            "must be semicolon or comma",
        )),
    }
}

fn language(query: Option<&str>, headers: &HeaderMap) -> Result<Lang, AppError> {
    match query {
        Some(code) => match code {
            "sv" => Ok(Lang::Sv),
            "nb" => Ok(Lang::Nb),
            "en" => Ok(Lang::En),
            _ => Err(AppError::validation("lang", "must be sv, nb or en")),
        },
        None => Ok(Lang::negotiate(None, headers)),
    }
}

/// The words of the files, in the reader's language.
pub fn report_labels(words: &Words<'_>, week: IsoWeek) -> ReportLabels {
    ReportLabels {
        title: words.t("reports_title"),
        period: words.period(week),
        department: words.t("department"),
        lunch: words.t("lunch"),
        dinner: words.t("dinner"),
        residents: words.t("residents"),
        special: words.t("special"),
        normal: words.t("normal"),
        alt1: words.t("alt1"),
        alt2: words.t("alt2"),
        total: words.t("total"),
        diets: words.t("report_diets"),
        diet_type: words.t("diet_type"),
    }
}

/// The site's name as a file-name part: lower-case ASCII letters, digits and dashes
/// ("Kök Ängen" becomes "kok-angen").
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.to_lowercase().chars() {
        let ascii = match c {
            'å' | 'ä' | 'á' | 'à' | 'â' => "a",
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' => "o",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'ü' | 'ú' | 'ù' => "u",
            'í' | 'ì' | 'ï' => "i",
            'æ' => "ae",
            'ß' => "ss",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        if !(ascii == "-" && (out.is_empty() || out.ends_with('-'))) {
            out.push_str(ascii);
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "site".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// `veckorapport-{site}-{year}-v{week}.{ext}`
pub fn file_name(report: &WeeklyReport, extension: &str) -> String {
    format!(
        "veckorapport-{}-{}-v{}.{extension}",
        slug(&report.site_name),
        report.year,
        report.week
    )
}

/// The week's report: per department and meal, residents, special (billable) and normal
/// portions, lunch split by alternative, special portions per diet; and the site totals (the
/// sums of the seven day plans). JSON unless `format` (or `Accept`) asks for a file; files
/// come as attachments named `veckorapport-{site}-{year}-v{week}.{csv|xlsx|pdf}`.
#[utoipa::path(get, path = "/api/v1/municipal/sites/{site_id}/reports/weekly/{year}/{week}", tag = "reports",
    params(("site_id" = i64, Path), ("year" = i32, Path), ("week" = u32, Path), ReportQuery),
    responses(
        (status = 200, description = "The report, or a file of it",
            content(
                (WeeklyReport = "application/json"),
                (String = "text/csv"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (Vec<u8> = "application/pdf")
            ),
            headers(("Content-Disposition" = String, description = "For files: attachment; filename=\"veckorapport-SITE-YEAR-vWEEK.EXT\""))),
        (status = 304, description = "JSON only: the client has it (If-None-Match)"),
        (status = 403), (status = 404), (status = 422)))]
pub async fn weekly(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<KitchenReaders>,
    OwnSite(site_id): OwnSite,
    headers: HeaderMap,
    Path((_site, year, week)): Path<(i64, i32, u32)>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, AppError> {
    let week = week_from_path(year, week)?;
    let format = Format::chosen(query.format.as_deref(), &headers)?;
    let delimiter = delimiter(query.delimiter.as_deref())?;
    let lang = language(query.lang.as_deref(), &headers)?;
    let format = match format {
        Format::File(file) => file,
        Format::Json => {
            let read = SiteRead::ReportJson;
            let mut response = site_answer(
                &state,
                &caller,
                site_id,
                week,
                read,
                &headers,
                build::weekly,
            )
            .await?;
            // Beside the ready answer's own `Vary: accept-encoding`, never instead of it.
            response
                .headers_mut()
                .append(header::VARY, HeaderValue::from_static("accept"));
            return Ok(response);
        }
    };
    // Rendering a PDF or a workbook is CPU work and built whole in memory: on a file worker,
    // whose slot is taken before the site's week is read, so requests waiting for a worker
    // hold no report.
    let slot = state.file_work.reserve(format.work_kind()).await?;
    let report = build::weekly(&load_site_week(&state, &caller, site_id, week).await?);
    let labels = report_labels(&Words::new(&state.i18n, lang), week);
    let name = file_name(&report, format.extension());
    let body = slot
        .run(move |_deadline| match format {
            FileFormat::Csv => render::csv(&report, &labels, delimiter),
            FileFormat::Xlsx => render::xlsx(&report, &labels),
            FileFormat::Pdf => render::pdf(&report, &labels),
        })
        .await?
        .map_err(|e| AppError::Internal(format!("cannot render the report: {e}")))?;

    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::VARY, HeaderValue::from_static("accept"));
    let disposition = format!("attachment; filename=\"{name}\"");
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_and_readable() {
        assert_eq!(slug("Kök Ängen"), "kok-angen");
        assert_eq!(slug("Lasby centralkök"), "lasby-centralkok");
        assert_eq!(slug("  Ö/Å \"x\" "), "o-a-x");
        assert_eq!(slug("Smørbukk Æsir"), "smorbukk-aesir");
        assert_eq!(slug("食堂"), "site");
    }

    #[test]
    fn accept_header_picks_the_first_known_type() {
        let mut headers = HeaderMap::new();
        assert_eq!(Format::accepted(&headers), Format::Json);
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/pdf;q=0.9, text/csv"),
        );
        assert_eq!(Format::accepted(&headers), Format::File(FileFormat::Pdf));
        headers.insert(header::ACCEPT, HeaderValue::from_static(XLSX_TYPE));
        assert_eq!(Format::accepted(&headers), Format::File(FileFormat::Xlsx));
        headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        assert_eq!(Format::accepted(&headers), Format::Json);
    }
}
