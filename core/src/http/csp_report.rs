//! `POST /csp-report`: where browsers report Content-Security-Policy violations. Each report is
//! logged and counted (`galley_csp_violations_total`), so a page that breaks the policy shows
//! up in the logs and metrics instead of failing silently in someone's browser.

use axum::body::Bytes;
use axum::http::StatusCode;
use serde_json::Value;

const FIELD_LIMIT: usize = 300;

pub async fn receive(body: Bytes) -> StatusCode {
    metrics::counter!("galley_csp_violations_total").increment(1);
    let report: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    // The legacy format wraps the report in `csp-report`; the Reporting API sends a list.
    let inner = report
        .get("csp-report")
        .or_else(|| report.get(0).and_then(|r| r.get("body")))
        .unwrap_or(&report);
    let field = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| inner.get(*name).and_then(Value::as_str))
            .unwrap_or("")
            .chars()
            .take(FIELD_LIMIT)
            .collect::<String>()
    };
    tracing::warn!(
        document = %field(&["document-uri", "documentURL"]),
        directive = %field(&["violated-directive", "effectiveDirective"]),
        blocked = %field(&["blocked-uri", "blockedURL"]),
        "Content-Security-Policy violation reported by a browser"
    );
    StatusCode::NO_CONTENT
}
