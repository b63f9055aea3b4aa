//! The fonts live in core (`galley_core::pdf::fonts`), shared with the recipe card.

pub(super) use galley_core::pdf::fonts::{Fonts, Weight};

use crate::report::render::RenderError;

impl From<galley_core::pdf::fonts::FontError> for RenderError {
    fn from(error: galley_core::pdf::fonts::FontError) -> Self {
        RenderError::Font(error.0)
    }
}
