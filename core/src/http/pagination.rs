//! One list shape for every collection: `items`, `page`, `per_page`, `total`.

use serde::{Deserialize, Serialize};

use super::error::AppError;
use super::problem::FieldError;

pub const DEFAULT_PER_PAGE: u32 = 25;
pub const MAX_PER_PAGE: u32 = 100;

/// `?page=2&per_page=50`, validated.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page, 1-100 (default 25).
    pub per_page: Option<u32>,
}

/// A checked page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl PageQuery {
    pub fn checked(self) -> Result<PageRequest, AppError> {
        let mut errors = Vec::new();
        let page = self.page.unwrap_or(1);
        if page == 0 {
            errors.push(FieldError {
                field: "page".into(),
                reason: "must be 1 or more".into(),
            });
        }
        let per_page = self.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            errors.push(FieldError {
                field: "per_page".into(),
                reason: format!("must be between 1 and {MAX_PER_PAGE}"),
            });
        }
        if errors.is_empty() {
            Ok(PageRequest { page, per_page })
        } else {
            Err(AppError::Validation(errors))
        }
    }
}

impl PageRequest {
    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }
}

/// A page of a collection.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Paginated<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    /// Items in the whole collection.
    pub total: i64,
}

impl<T> Paginated<T> {
    pub fn new(items: Vec<T>, request: PageRequest, total: i64) -> Self {
        Self {
            items,
            page: request.page,
            per_page: request.per_page,
            total,
        }
    }
}
