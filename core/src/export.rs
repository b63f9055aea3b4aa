//! Rules every exported file follows, whichever module writes it.

use std::borrow::Cow;

/// A text cell a spreadsheet will not run as a formula. A cell starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading `'`, as OWASP advises against CSV
/// injection: a department named `=HYPERLINK(...)` must arrive as text in Excel, not as a link
/// that runs when someone at the finance office clicks it. Numbers are written as numbers and
/// never pass through here, so a negative count stays a number.
pub fn csv_text(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_and_their_disguises_become_text() {
        for formula in [
            "=HYPERLINK(\"http://evil\",\"x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(csv_text(formula), format!("'{formula}"));
        }
    }

    #[test]
    fn ordinary_text_is_left_as_it_is() {
        for text in [
            "Ängsgården avd 1",
            "",
            "Öster; \"Solrosen\"",
            "1 = 1",
            "a-b",
        ] {
            assert!(matches!(csv_text(text), Cow::Borrowed(same) if same == text));
        }
    }
}
