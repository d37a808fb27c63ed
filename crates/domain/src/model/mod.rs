//! Entities of the domain and the rules their fields obey.
//!
//! Constructors that take outside input validate it and return
//! [`DomainError::Validation`](crate::DomainError) naming the field, so an
//! invalid entity cannot be built by accident.

mod audit;
mod canned;
mod conversation;
mod customer;
mod inbox;
mod knowledge;
mod message;
mod prechat;
mod user;
mod webhook;

pub use audit::{AuditEntry, AuditFilter};
pub use canned::CannedResponse;
pub use conversation::{Conversation, ConversationState, Transition};
pub use customer::{
    Customer, CustomerPatch, MAX_NAME_CHARS, MAX_NOTES_CHARS, MAX_TAG_CHARS, MAX_TAGS, RekeyBatch,
    normalize_customer_name, normalize_notes, normalize_phone, normalize_tags,
};
pub use inbox::{ConversationSummary, MessagePreview, PREVIEW_CHARS, SUMMARY_WINDOW, preview};
pub use knowledge::{KnowledgeDoc, RetrievedPassage};
pub use message::{
    AppendOutcome, HistoryQuery, MAX_BODY_BYTES, MAX_CLIENT_MSG_ID_LEN, Message, MessageKind,
    NewMessage, Notice, NoticeParty, SenderKind,
};
pub use prechat::{
    FieldMode, MAX_PRECHAT_ANSWER_CHARS, MAX_PRECHAT_LABEL_CHARS, PrechatAnswers, PrechatForm,
    PrechatRecord,
};
pub use user::{Role, User, normalize_email};
pub use webhook::{
    DeliveryClaim, DeliveryFilter, DeliveryOutcome, DeliveryStatus, MAX_WEBHOOK_URL_LEN, Settled,
    Webhook, WebhookDelivery, WebhookEvent, WebhookSecret, check_url_shape, parse_events,
};

/// Declares a string-backed enum with `as_str` / `FromStr` / serde, stored as
/// its lowercase name in the database and on the wire.
macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and wire form.
            pub const fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                crate::openapi::string_enum_schema(&[$($text),+])
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(crate::DomainError::invalid(
                        stringify!($name),
                        concat!("must be one of: ", $($text, " "),+),
                    )),
                }
            }
        }
    };
}
pub(crate) use string_enum;
