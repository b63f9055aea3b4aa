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

impl<T> Paginated<T> {
    /// The requested page of a collection the caller has loaded whole: for the small sets of
    /// one kitchen (its departments, diet types, a year's menu weeks) that other code reads
    /// whole anyway, so the list answers the same envelope as every other.
    pub fn from_all(all: Vec<T>, request: PageRequest) -> Self {
        let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
        let skip = usize::try_from(request.offset()).unwrap_or(usize::MAX);
        let take = usize::try_from(request.limit()).unwrap_or(0);
        let items = all.into_iter().skip(skip).take(take).collect();
        Self::new(items, request, total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_all_cuts_the_requested_page_and_counts_the_whole() {
        let request = PageRequest {
            page: 2,
            per_page: 2,
        };
        let page = Paginated::from_all(vec![1, 2, 3, 4, 5], request);
        assert_eq!(page.items, [3, 4]);
        assert_eq!(page.total, 5);
        let past = Paginated::from_all(
            vec![1],
            PageRequest {
                page: 3,
                per_page: 2,
            },
        );
        assert!(past.items.is_empty());
        assert_eq!(past.total, 1);
    }
}
