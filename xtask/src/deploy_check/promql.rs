//! Finds the series names a PromQL expression reads, so that the rules and the dashboard can be
//! held to the metrics Galley really exports. The expression is parsed by `promql-parser`
//! (the grammar of Prometheus itself), and the names are those of its vector and range
//! selectors.

use promql_parser::label::{METRIC_NAME, MatchOp};
use promql_parser::parser::{self, Expr, VectorSelector};

/// The series names `expr` selects, in order of appearance, or the parser's error. A selector
/// with no name of its own and no `__name__="…"` matcher (say `{__name__=~"galley_.*"}`) is
/// given as its own text, so that it is never taken for a known metric.
pub fn series_names(expr: &str) -> Result<Vec<String>, String> {
    let ast = parser::parse(expr).map_err(|e| format!("not PromQL: {}", e.trim()))?;
    let mut names = Vec::new();
    walk(&ast, &mut names);
    Ok(names)
}

/// `expr` with Grafana's global time variables (`$__rate_interval`, `${__range}`, …) replaced
/// by a value PromQL accepts in their place: `60` for the `_ms` and `_s` forms, which are
/// numbers, `1m` for the others, which are durations. Other dashboard variables (`$instance`)
/// are only accepted inside label values, where PromQL takes any text.
pub fn without_grafana_intervals(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut rest = expr;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (braced, body) = match after.strip_prefix('{') {
            Some(body) => (true, body),
            None => (false, after),
        };
        let len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        let name = &body[..len];
        let closed = !braced || body[len..].starts_with('}');
        if name.starts_with("__") && closed {
            let numeric = name.ends_with("_ms") || name.ends_with("_s");
            out.push_str(if numeric { "60" } else { "1m" });
            rest = &body[len + usize::from(braced)..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn walk(expr: &Expr, names: &mut Vec<String>) {
    match expr {
        Expr::VectorSelector(selector) => names.push(selector_name(selector)),
        Expr::MatrixSelector(matrix) => names.push(selector_name(&matrix.vs)),
        Expr::Aggregate(aggregate) => {
            if let Some(param) = &aggregate.param {
                walk(param, names);
            }
            walk(&aggregate.expr, names);
        }
        Expr::Unary(unary) => walk(&unary.expr, names),
        Expr::Binary(binary) => {
            walk(&binary.lhs, names);
            walk(&binary.rhs, names);
        }
        Expr::Paren(paren) => walk(&paren.expr, names),
        Expr::Subquery(subquery) => walk(&subquery.expr, names),
        Expr::Call(call) => call.args.args.iter().for_each(|arg| walk(arg, names)),
        Expr::Extension(extension) => extension
            .expr
            .children()
            .iter()
            .for_each(|child| walk(child, names)),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) => {}
    }
}

fn selector_name(selector: &VectorSelector) -> String {
    if let Some(name) = &selector.name {
        return name.clone();
    }
    selector
        .matchers
        .matchers
        .iter()
        .find(|m| m.name == METRIC_NAME && matches!(m.op, MatchOp::Equal))
        .map(|m| m.value.clone())
        .unwrap_or_else(|| selector.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_selectors_only() {
        let expr = r#"histogram_quantile(0.99, sum by (le, instance) (rate(http_request_duration_seconds_bucket{job="galley", route!~"/metrics|up"}[5m]))) > 1"#;
        assert_eq!(
            series_names(expr),
            Ok(vec!["http_request_duration_seconds_bucket".to_string()])
        );
        let expr = r#"sum without (state) (galley_db_pool_waiting) > 0 and on (instance) up == 1 unless absent(galley_file_work_slots offset 1h)"#;
        assert_eq!(
            series_names(expr),
            Ok(vec![
                "galley_db_pool_waiting".to_string(),
                "up".to_string(),
                "galley_file_work_slots".to_string()
            ])
        );
        assert_eq!(
            series_names("topk(5, rate(nonexistent_total[5m])) > 1e3"),
            Ok(vec!["nonexistent_total".to_string()])
        );
        assert_eq!(
            series_names(r#"{__name__="up", job="galley"}"#),
            Ok(vec!["up".to_string()])
        );
        assert_eq!(series_names("vector(1) + time()"), Ok(vec![]));
    }

    #[test]
    fn grafana_time_variables_become_promql() {
        assert_eq!(
            without_grafana_intervals(
                r#"rate(x{instance=~"$instance"}[$__rate_interval]) / ${__range_s} + y[${__interval}]"#
            ),
            r#"rate(x{instance=~"$instance"}[1m]) / 60 + y[1m]"#
        );
        assert_eq!(without_grafana_intervals("up $"), "up $");
    }

    #[test]
    fn a_pattern_selector_is_given_as_its_text_and_bad_promql_fails() {
        let names = series_names(r#"count({__name__=~"galley_.*"})"#);
        assert!(
            matches!(&names, Ok(n) if n.len() == 1 && n[0].contains("galley_.*")),
            "{names:?}"
        );
        let result = series_names("sum(rate(up[5m])");
        assert!(
            matches!(&result, Err(m) if m.starts_with("not PromQL")),
            "{result:?}"
        );
    }
}
