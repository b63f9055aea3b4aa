//! Finds the series names a PromQL expression reads, so that the rules and the dashboard can be
//! held to the metrics Galley really exports.

/// Words that are PromQL operators or modifiers, never series names.
const KEYWORDS: [&str; 26] = [
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "sum",
    "min",
    "max",
    "avg",
    "count",
    "group",
    "stddev",
    "stdvar",
    "topk",
    "bottomk",
    "quantile",
    "count_values",
    "limitk",
    "inf",
    "nan",
];

/// Modifiers followed by a list of label names in parentheses.
const LABEL_LISTS: [&str; 6] = [
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

/// The series names in `expr`: identifiers outside strings, label matchers `{…}`, ranges `[…]`
/// and label lists, that are neither keywords nor called as functions.
pub fn series_names(expr: &str) -> Vec<String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut names = Vec::new();
    let mut i = 0;
    let mut skip_label_list = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' | '\'' | '`' => i = skip_quoted(&chars, i),
            '{' => i = skip_to(&chars, i, '}'),
            '[' => i = skip_to(&chars, i, ']'),
            '(' if skip_label_list => {
                skip_label_list = false;
                i = skip_to(&chars, i, ')');
            }
            c if c.is_ascii_alphabetic() || c == '_' || c == ':' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == ':')
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let mut next = i;
                while next < chars.len() && chars[next].is_whitespace() {
                    next += 1;
                }
                let called = chars.get(next) == Some(&'(');
                if LABEL_LISTS.contains(&word.as_str()) {
                    skip_label_list = true;
                } else if !called && !KEYWORDS.contains(&word.to_ascii_lowercase().as_str()) {
                    names.push(word);
                }
            }
            // Numbers and durations (`5m`, `1e3`) are not names.
            c if c.is_ascii_digit() || c == '.' => {
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    names
}

fn skip_quoted(chars: &[char], start: usize) -> usize {
    let quote = chars[start];
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i] == '\\' && quote != '`' {
            i += 2;
            continue;
        }
        if chars[i] == quote {
            return i + 1;
        }
        i += 1;
    }
    i
}

fn skip_to(chars: &[char], start: usize, close: char) -> usize {
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '"' | '\'' | '`' => i = skip_quoted(chars, i),
            c if c == close => return i + 1,
            _ => i += 1,
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_skip_functions_labels_ranges_and_strings() {
        let expr = r#"histogram_quantile(0.99, sum by (le, instance) (rate(http_request_duration_seconds_bucket{job="galley", route!~"/metrics|up"}[5m]))) > 1"#;
        assert_eq!(series_names(expr), ["http_request_duration_seconds_bucket"]);
        let expr = r#"sum without (state) (galley_db_pool_waiting) > 0 and on (instance) up == 1 unless absent(galley_file_work_slots offset 1h)"#;
        assert_eq!(
            series_names(expr),
            ["galley_db_pool_waiting", "up", "galley_file_work_slots"]
        );
        assert_eq!(
            series_names("rate(nonexistent_total[5m]) > 1e3"),
            ["nonexistent_total"]
        );
    }
}
