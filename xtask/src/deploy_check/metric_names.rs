//! The metric names Galley exports: the one list the alert rules and the dashboard are held
//! to, itself held to the `metrics::counter!`/`gauge!`/`histogram!` calls in the code.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// Every series name `/metrics` can show (histograms by their base name).
pub const EXPORTED: [&str; 19] = [
    "http_requests_total",
    "http_request_duration_seconds",
    "galley_db_pool_connections",
    "galley_db_pool_waiting",
    "galley_module_enabled",
    "galley_answer_cache_requests_total",
    "galley_answer_cache_evictions_total",
    "galley_answer_cache_invalidations_total",
    "galley_answer_cache_listener_losses_total",
    "galley_answer_cache_bytes",
    "galley_answer_notice_failures_total",
    "galley_csp_violations_total",
    "galley_module_flags_refresh_failures_total",
    "galley_file_work_slots",
    "galley_file_work_running",
    "galley_file_work_waiting",
    "galley_file_work_total",
    "galley_file_work_seconds",
    // Not Galley's: Prometheus writes `up` for every scrape target, 0 when the scrape failed.
    "up",
];

/// The histograms, which Prometheus stores as `NAME_bucket`, `NAME_sum` and `NAME_count`.
pub const HISTOGRAMS: [&str; 2] = ["http_request_duration_seconds", "galley_file_work_seconds"];

/// Whether a series name in PromQL is one Galley (or the scrape) produces.
pub fn is_known(series: &str) -> bool {
    if EXPORTED.contains(&series) {
        return true;
    }
    HISTOGRAMS.iter().any(|base| {
        series
            .strip_prefix(base)
            .is_some_and(|suffix| matches!(suffix, "_bucket" | "_sum" | "_count"))
    })
}

/// The names recorded with `metrics::counter!("…")`, `gauge!` or `histogram!` in the Rust
/// sources under `dirs`.
pub fn recorded_in_code(dirs: &[&Path]) -> Result<BTreeSet<String>, String> {
    let mut names = BTreeSet::new();
    for dir in dirs {
        collect(dir, &mut names)?;
    }
    Ok(names)
}

fn collect(dir: &Path, names: &mut BTreeSet<String>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            collect(&path, names)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            names.extend(names_in_source(&text));
        }
    }
    Ok(())
}

/// Literal names in `counter!("…"`, `gauge!("…"` and `histogram!("…"` (the `describe_`
/// forms only describe names that are recorded elsewhere).
pub fn names_in_source(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for macro_name in ["counter!(", "gauge!(", "histogram!("] {
        for (at, _) in text.match_indices(macro_name) {
            if text[..at].ends_with("describe_") {
                continue;
            }
            let rest = text[at + macro_name.len()..].trim_start();
            if let Some(literal) = rest.strip_prefix('"')
                && let Some(end) = literal.find('"')
            {
                names.push(literal[..end].to_string());
            }
        }
    }
    names
}

/// The list above against the code: a metric added, renamed or removed in the code must be
/// reflected here (and so in the rules and the dashboard).
pub fn check_against_code(root: &Path) -> Result<(), String> {
    let core = root.join("core");
    let modules = root.join("modules");
    let in_code = recorded_in_code(&[&core, &modules])?;
    let listed: BTreeSet<String> = EXPORTED
        .iter()
        .filter(|n| **n != "up")
        .map(|n| n.to_string())
        .collect();
    let missing: Vec<&String> = in_code.difference(&listed).collect();
    let stale: Vec<&String> = listed.difference(&in_code).collect();
    if missing.is_empty() && stale.is_empty() {
        println!("    metric list matches the code: {} names", listed.len());
        return Ok(());
    }
    Err(format!(
        "xtask/src/deploy_check/metric_names.rs is out of step with the code: recorded but not \
         listed {missing:?}, listed but not recorded {stale:?}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_series_are_known_by_their_suffixes() {
        assert!(is_known("http_request_duration_seconds_bucket"));
        assert!(is_known("galley_file_work_seconds_count"));
        assert!(is_known("up"));
        assert!(!is_known("http_request_duration_seconds_total"));
        assert!(!is_known("galley_requests_total"));
    }

    #[test]
    fn names_come_from_recording_macros_only() {
        let source = r#"
            metrics::describe_counter!("described_only", "text");
            metrics::counter!("a_total", "kind" => kind).increment(1);
            let g = metrics::gauge!(
                "b_now"
            );
            metrics::histogram!(name_in_a_variable).record(1.0);
        "#;
        assert_eq!(names_in_source(source), ["a_total", "b_now"]);
    }

    #[test]
    fn the_list_matches_this_checkout() -> Result<(), String> {
        check_against_code(&crate::workspace_root())
    }
}
