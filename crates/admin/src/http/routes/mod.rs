//! Route handlers, one module per resource.

pub(crate) mod attachments;
pub(crate) mod audit;
pub(crate) mod auth;
pub(crate) mod availability;
pub(crate) mod canned;
pub(crate) mod conversations;
pub(crate) mod customers;
pub(crate) mod knowledge;
pub(crate) mod prechat;
pub(crate) mod stats;
pub(crate) mod users;
pub(crate) mod webhooks;
pub(crate) mod widget;

use crate::http::error::ApiError;

/// Every route module's body schemas, for the OpenAPI document.
pub(crate) fn schemas(out: &mut crate::http::schemas::Schemas) {
    attachments::schemas(out);
    availability::schemas(out);
    audit::schemas(out);
    auth::schemas(out);
    canned::schemas(out);
    conversations::schemas(out);
    customers::schemas(out);
    knowledge::schemas(out);
    prechat::schemas(out);
    stats::schemas(out);
    users::schemas(out);
    webhooks::schemas(out);
    widget::schemas(out);
}

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

    /// A page of a list ordered by id: pass `next_after` as `after` for the
    /// next one (`null` at the end).
    #[derive(serde::Serialize)]
    pub(crate) struct Page<T, C> {
        pub(crate) items: Vec<T>,
        pub(crate) next_after: Option<C>,
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

/// An optional RFC 3339 query parameter as a stored timestamp; 400 naming
/// the parameter when it does not parse.
pub(crate) fn instant(
    field: &str,
    raw: Option<&str>,
) -> Result<Option<chat_domain::time::Timestamp>, ApiError> {
    raw.map(|r| {
        chrono::DateTime::parse_from_rfc3339(r)
            .map(|t| t.naive_utc())
            .map_err(|_| {
                chat_domain::DomainError::invalid(
                    field,
                    "must be an RFC 3339 time, e.g. 2026-11-26T00:00:00Z",
                )
                .into()
            })
    })
    .transpose()
}

/// Runs a use case on its own task. actix drops a handler's future when the
/// client disconnects; a use case of several writes (a token rotation, a
/// password change and the revocation that follows it) must not stop
/// halfway: the client would be left without its new token, or sessions
/// with a changed password.
pub(crate) async fn detached<T: Send + 'static>(
    work: impl Future<Output = Result<T, chat_domain::DomainError>> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::spawn(work)
        .await
        .map_err(|e| chat_domain::DomainError::Internal(format!("task: {e}")))?
        .map_err(ApiError::from)
}
