//! The alert rules (promtool, and every series they read is one Galley exports) and the
//! Grafana dashboard (valid JSON, every query reads only exported series).

use std::fs;
use std::path::Path;
use std::process::Command;

use saphyr::{LoadableYamlNode, MarkedYaml, YamlData};
use serde_json::Value;

use super::{metric_names, promql};
use crate::util;

pub const RULES: &str = "deploy/prometheus/galley-alerts.yml";
pub const DASHBOARD: &str = "deploy/grafana/galley.json";

pub fn check_rules(root: &Path) -> Result<(), String> {
    let path = root.join(RULES);
    let yaml =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let exprs = rule_exprs(&yaml).map_err(|e| format!("{RULES}: {e}"))?;
    let located: Vec<(String, String)> = exprs
        .into_iter()
        .map(|(line, expr)| (format!("{RULES}:{line}"), expr))
        .collect();
    // The series check first, and promtool's even when it fails: a misspelt metric also fails
    // the promtool unit tests, less plainly.
    let mut problems: Vec<String> = unknown_series(&located).err().into_iter().collect();
    let dir = root.join("deploy/prometheus");
    for (args, what) in [
        (
            ["check", "rules", "galley-alerts.yml"],
            "promtool check rules",
        ),
        (
            ["test", "rules", "galley-alerts.test.yml"],
            "promtool test rules",
        ),
    ] {
        let mut promtool = Command::new("promtool");
        promtool.current_dir(&dir).args(args);
        match util::run_captured(&mut promtool, what) {
            Ok(out) => println!("{}", util::indent(out.trim_end(), "    | ")),
            Err(e) => problems.push(e),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// The `expr` of every rule in a Prometheus rules file (`groups[].rules[].expr`), with the
/// 1-based line of its `expr:` key. The file must be YAML with at least one rule, and every
/// rule must have a string `expr`; the rest of the rules format is promtool's to check.
pub fn rule_exprs(yaml: &str) -> Result<Vec<(usize, String)>, String> {
    let docs = MarkedYaml::load_from_str(yaml).map_err(|e| format!("not valid YAML: {e}"))?;
    let Some(doc) = docs.first() else {
        return Err("empty file".to_string());
    };
    let mut exprs = Vec::new();
    for group in sequence_under(doc, "groups")? {
        for rule in sequence_under(group, "rules")? {
            let line = rule.span.start.line();
            let YamlData::Mapping(fields) = &rule.data else {
                return Err(format!("line {line}: a rule that is not a mapping"));
            };
            let expr = fields
                .iter()
                .find(|(key, _)| key.data.as_str() == Some("expr"));
            match expr {
                Some((key, value)) => match value.data.as_str() {
                    Some(text) => exprs.push((key.span.start.line(), text.trim().to_string())),
                    None => {
                        return Err(format!(
                            "line {}: `expr` is not a string",
                            key.span.start.line()
                        ));
                    }
                },
                None => return Err(format!("line {line}: a rule without `expr`")),
            }
        }
    }
    if exprs.is_empty() {
        return Err("no rule with an `expr`".to_string());
    }
    Ok(exprs)
}

/// The items of the sequence under `key` in the mapping `node`.
fn sequence_under<'a>(node: &'a MarkedYaml<'a>, key: &str) -> Result<&'a [MarkedYaml<'a>], String> {
    let line = node.span.start.line();
    let YamlData::Mapping(fields) = &node.data else {
        return Err(format!("line {line}: expected a mapping with `{key}`"));
    };
    match fields.iter().find(|(k, _)| k.data.as_str() == Some(key)) {
        Some((_, value)) => match &value.data {
            YamlData::Sequence(items) => Ok(items),
            _ => Err(format!(
                "line {}: `{key}` is not a list",
                value.span.start.line()
            )),
        },
        None => Err(format!("line {line}: no `{key}`")),
    }
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

/// An error naming each expression that is not PromQL, reads no series, or reads one Galley
/// does not export.
pub fn unknown_series(exprs: &[(String, String)]) -> Result<(), String> {
    let mut problems = Vec::new();
    for (place, expr) in exprs {
        let names = promql::series_names(&promql::without_grafana_intervals(expr));
        let expr = expr.split_whitespace().collect::<Vec<_>>().join(" ");
        let names = match names {
            Ok(names) => names,
            Err(e) => {
                problems.push(format!("  {place}: {e}: {expr}"));
                continue;
            }
        };
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
        "expressions that do not parse or read series Galley does not export (the list is \
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
        let result = unknown_series(&[("a:4".to_string(), "sum(up".to_string())]);
        assert!(
            matches!(&result, Err(m) if m.contains("a:4: not PromQL")),
            "{result:?}"
        );
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
    fn rule_exprs_reads_plain_quoted_and_block_values() {
        let yaml = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n\
                    \x20     - alert: B\n        expr: 'x{a=''b''} > 1'\n      - record: c\n\
                    \x20       expr: |\n          sum(rate(y[5m]))\n            > 2\n        for: 1m\n";
        assert_eq!(
            rule_exprs(yaml),
            Ok(vec![
                (5, "up == 0".to_string()),
                (7, "x{a='b'} > 1".to_string()),
                (9, "sum(rate(y[5m]))\n  > 2".to_string()),
            ])
        );
    }

    #[test]
    fn rule_exprs_rejects_bad_yaml_and_rules_without_expr() {
        let bad_indent = "groups:\n  - name: g\n    rules:\n      - alert: A\n       expr: up\n";
        let result = rule_exprs(bad_indent);
        assert!(
            matches!(&result, Err(m) if m.starts_with("not valid YAML")),
            "{result:?}"
        );
        let no_expr = "groups:\n  - name: g\n    rules:\n      - alert: A\n        for: 1m\n";
        assert_eq!(
            rule_exprs(no_expr),
            Err("line 4: a rule without `expr`".to_string())
        );
        assert!(rule_exprs("groups: []\n").is_err());
        assert!(rule_exprs("").is_err());
    }

    #[test]
    fn the_shipped_rules_and_dashboard_read_only_exported_series() -> Result<(), String> {
        let root = crate::workspace_root();
        let yaml = fs::read_to_string(root.join(RULES)).map_err(|e| e.to_string())?;
        let exprs: Vec<(String, String)> = rule_exprs(&yaml)?
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
