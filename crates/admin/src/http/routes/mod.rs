//! Route handlers, one module per resource.

pub(crate) mod audit;
pub(crate) mod auth;
pub(crate) mod canned;
pub(crate) mod conversations;
pub(crate) mod knowledge;
pub(crate) mod users;

/// Paging rules shared by every list route.
pub(crate) mod paging {
    use chat_domain::DomainError;

    use crate::http::error::ApiError;

    /// The page size asked for, or `default`; 400 naming `limit` outside 1..=`max`.
    pub(crate) fn limit(asked: Option<u32>, default: u32, max: u32) -> Result<u32, ApiError> {
        let limit = asked.unwrap_or(default);
        if limit == 0 || limit > max {
            return Err(
                DomainError::invalid("limit", format!("must be between 1 and {max}")).into(),
            );
        }
        Ok(limit)
    }

    /// The cursor for the next page: the last item's key when the page is
    /// full (there may be more), `None` at the end.
    pub(crate) fn next<T, K>(items: &[T], limit: u32, key: impl Fn(&T) -> K) -> Option<K> {
        if items.len() == limit as usize {
            items.last().map(key)
        } else {
            None
        }
    }
}
