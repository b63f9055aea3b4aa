//! Worksheet names come from translated labels, so they must be made to follow Excel's rules:
//! not blank, at most 31 UTF-16 units, none of `[]:*?/\`, no apostrophe at either end,
//! and unique within the workbook regardless of case.

const MAX_UTF16_LEN: usize = 31;
const FORBIDDEN: [char; 7] = ['[', ']', ':', '*', '?', '/', '\\'];

/// A valid, unused sheet name for `label`. `position` (1-based) names the sheet when nothing
/// usable is left of the label, since a number needs no translation.
pub(super) fn sheet_name(label: &str, position: usize, taken: &[String]) -> String {
    let cleaned: String = label
        .chars()
        .map(|c| {
            if FORBIDDEN.contains(&c) || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let base = truncate_utf16(trim(&cleaned), MAX_UTF16_LEN);
    let base = if base.is_empty() {
        position.to_string()
    } else {
        base
    };

    let is_taken = |name: &str| {
        taken
            .iter()
            .any(|t| t.to_lowercase() == name.to_lowercase())
    };
    if !is_taken(&base) {
        return base;
    }
    // Make room for a " (n)" suffix, as Excel itself does for copied sheets.
    (2..)
        .map(|n| {
            let suffix = format!(" ({n})");
            let room = MAX_UTF16_LEN - suffix.encode_utf16().count();
            format!("{}{suffix}", trim(&truncate_utf16(&base, room)))
        })
        .find(|candidate| !is_taken(candidate))
        .unwrap_or(base)
}

fn trim(name: &str) -> &str {
    name.trim_matches(|c: char| c.is_whitespace() || c == '\'')
}

fn truncate_utf16(name: &str, max: usize) -> String {
    let mut used = 0;
    name.chars()
        .take_while(|c| {
            used += c.len_utf16();
            used <= max
        })
        .collect::<String>()
        .trim_end_matches(|c: char| c.is_whitespace() || c == '\'')
        .to_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_valid_name() {
        assert_eq!(sheet_name("Veckorapport", 1, &[]), "Veckorapport");
    }

    #[test]
    fn replaces_forbidden_characters_and_apostrophes_at_the_ends() {
        assert_eq!(sheet_name("'Kost/typ: [a]*?\\'", 1, &[]), "Kost typ   a");
    }

    #[test]
    fn truncates_to_31_utf16_units() {
        let name = sheet_name(&"Å".repeat(40), 1, &[]);
        assert_eq!(name.encode_utf16().count(), 31);
        let emoji = sheet_name(&"🥕".repeat(20), 1, &[]);
        assert!(emoji.encode_utf16().count() <= 31);
        assert_eq!(emoji.chars().count(), 15);
    }

    #[test]
    fn falls_back_to_the_position_when_nothing_is_left() {
        assert_eq!(sheet_name("[]?", 2, &[]), "2");
        assert_eq!(sheet_name("", 1, &[]), "1");
    }

    #[test]
    fn avoids_a_taken_name_case_insensitively() {
        let taken = vec!["Lunch".to_owned()];
        assert_eq!(sheet_name("LUNCH", 2, &taken), "LUNCH (2)");
        let long = "x".repeat(31);
        let renamed = sheet_name(&long, 2, std::slice::from_ref(&long));
        assert_eq!(renamed, format!("{} (2)", "x".repeat(27)));
    }
}
