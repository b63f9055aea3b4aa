//! The alert rules (promtool, and every series they read is one Galley exports) and the
//! Grafana dashboard (valid JSON, every query reads only exported series).

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::{metric_names, promql};
use crate::util;

pub const RULES: &str = "deploy/prometheus/galley-alerts.yml";
pub const DASHBOARD: &str = "deploy/grafana/galley.json";

pub fn check_rules(root: &Path) -> Result<(), String> {
    let dir = root.join("deploy/prometheus");
    let mut check = Command::new("promtool");
    check
        .current_dir(&dir)
        .args(["check", "rules", "galley-alerts.yml"]);
    let out = util::run_captured(&mut check, "promtool check rules")?;
    println!("{}", util::indent(out.trim_end(), "    | "));
    let mut test = Command::new("promtool");
    test.current_dir(&dir)
        .args(["test", "rules", "galley-alerts.test.yml"]);
    let out = util::run_captured(&mut test, "promtool test rules")?;
    println!("{}", util::indent(out.trim_end(), "    | "));

    let path = root.join(RULES);
    let yaml =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let exprs = promql::rule_exprs(&yaml);
    if exprs.is_empty() {
        return Err(format!("{RULES}: no `expr:` found"));
    }
    let located: Vec<(String, String)> = exprs
        .into_iter()
        .map(|(line, expr)| (format!("{RULES}:{line}"), expr))
        .collect();
    unknown_series(&located)
}

pub fn check_dashboard(root: &Path) -> Result<(), String> {
    let path = root.join(DASHBOARD);
    let text =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let exprs = dashboard_exprs(&text).map_err(|e| format!("{DASHBOARD}: {e}"))?;
    let located: Vec<(String, String)> = exprs
        .into_iter()
        .map(|expr| (DASHBOARD.to_string(), expr))
        .collect();
    unknown_series(&located)?;
    println!("    {DASHBOARD}: valid JSON, {} queries", located.len());
    Ok(())
}

/// The query expressions of a dashboard: it must parse, and have panels with queries.
pub fn dashboard_exprs(text: &str) -> Result<Vec<String>, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    if !matches!(doc.get("panels"), Some(Value::Array(p)) if !p.is_empty()) {
        return Err("no panels".to_string());
    }
    let mut exprs = Vec::new();
    strings_under(&doc, "expr", &mut exprs);
    if exprs.is_empty() {
        return Err("no `expr` in any panel".to_string());
    }
    Ok(exprs)
}

/// Every string value under a key called `key`, anywhere in the document.
fn strings_under(value: &Value, key: &str, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| strings_under(v, key, out)),
        Value::Object(fields) => {
            for (name, value) in fields {
                if name == key
                    && let Value::String(text) = value
                {
                    out.push(text.clone());
                }
                strings_under(value, key, out);
            }
        }
        _ => {}
    }
}

/// An error naming each expression that reads no series, or one Galley does not export.
pub fn unknown_series(exprs: &[(String, String)]) -> Result<(), String> {
    let mut problems = Vec::new();
    for (place, expr) in exprs {
        let names = promql::series_names(expr);
        let unknown: Vec<&String> = names
            .iter()
            .filter(|n| !metric_names::is_known(n))
            .collect();
        if names.is_empty() {
            problems.push(format!("  {place}: reads no series: {expr}"));
        } else if !unknown.is_empty() {
            problems.push(format!(
                "  {place}: {unknown:?} is not a metric Galley exports: {expr}"
            ));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(format!(
        "expressions that read series Galley does not export (the list is \
         xtask/src/deploy_check/metric_names.rs):\n{}",
        problems.join("\n")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_series_are_named_with_their_place() {
        let ok = [(
            "a:1".to_string(),
            "sum(rate(http_requests_total[5m]))".to_string(),
        )];
        assert!(unknown_series(&ok).is_ok());
        let bad = [(
            "a:2".to_string(),
            "rate(galley_requests_total[5m])".to_string(),
        )];
        let result = unknown_series(&bad);
        assert!(
            matches!(&result, Err(m) if m.contains("a:2: [\"galley_requests_total\"]")),
            "{result:?}"
        );
        assert!(unknown_series(&[("a:3".to_string(), "vector(1)".to_string())]).is_err());
    }

    #[test]
    fn the_dashboard_needs_panels_with_queries() {
        assert!(dashboard_exprs(r#"{"panels": []}"#).is_err());
        assert!(dashboard_exprs(r#"{"panels": [{"targets": []}]}"#).is_err());
        assert!(dashboard_exprs(r#"{"panels": [{"targets": [{"expr": "up"}]}],}"#).is_err());
        let exprs = dashboard_exprs(r#"{"panels": [{"targets": [{"expr": "up"}]}]}"#);
        assert_eq!(exprs, Ok(vec!["up".to_string()]));
    }

    #[test]
    fn the_shipped_rules_and_dashboard_read_only_exported_series() -> Result<(), String> {
        let root = crate::workspace_root();
        let yaml = fs::read_to_string(root.join(RULES)).map_err(|e| e.to_string())?;
        let exprs: Vec<(String, String)> = promql::rule_exprs(&yaml)
            .into_iter()
            .map(|(line, e)| (line.to_string(), e))
            .collect();
        assert!(exprs.len() >= 8, "{exprs:?}");
        unknown_series(&exprs)?;
        let text = fs::read_to_string(root.join(DASHBOARD)).map_err(|e| e.to_string())?;
        let exprs: Vec<(String, String)> = dashboard_exprs(&text)?
            .into_iter()
            .map(|e| (String::new(), e))
            .collect();
        unknown_series(&exprs)
    }
}
