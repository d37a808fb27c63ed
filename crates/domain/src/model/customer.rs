use serde::Serialize;

use crate::ids::CustomerId;
use crate::time::Timestamp;

/// Someone talking to support through the widget.
///
/// `external_id` is the anonymous visitor id the widget keeps, or the user id
/// a host site vouches for; it is unique. Contact details (e-mail, phone) are
/// added, encrypted at rest, by the back-office issue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    /// Identity.
    pub id: CustomerId,
    /// Visitor or host-site id, unique when present.
    pub external_id: Option<String>,
    /// Display name, if the customer or host site gave one.
    pub name: Option<String>,
    /// Creation time (UTC).
    #[serde(with = "crate::time::utc")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Last change (UTC).
    #[serde(with = "crate::time::utc")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}
