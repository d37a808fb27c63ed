use serde::Serialize;

use crate::ids::CustomerId;
use crate::time::{Timestamp, Timestamps};
use crate::{DomainError, DomainResult};

/// Most tags on one customer.
pub const MAX_TAGS: usize = 20;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 50;
/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest notes, in characters.
pub const MAX_NOTES_CHARS: usize = 2000;

/// Someone talking to support through the widget.
///
/// `external_id` is the anonymous visitor id the widget keeps, or the user id
/// a host site vouches for; it is unique. Contact details and notes are
/// plaintext here: encrypting them at rest is the store's business.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    /// Identity.
    pub id: CustomerId,
    /// Visitor or host-site id, unique when present.
    pub external_id: Option<String>,
    /// Display name, if the customer or host site gave one.
    pub name: Option<String>,
    /// E-mail address, normalized (trimmed, lowercase).
    pub email: Option<String>,
    /// Phone number, normalized (digits, with a leading `+` if one was given).
    pub phone: Option<String>,
    /// Free-form tags set by staff.
    pub tags: Vec<String>,
    /// Staff notes about the customer.
    pub notes: Option<String>,
    /// Creation and last change (`created_at`, `updated_at` on the wire).
    #[serde(flatten)]
    pub times: Timestamps,
    /// When the customer's personal data was erased, if it was.
    #[serde(with = "crate::time::utc_opt")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub erased_at: Option<Timestamp>,
    /// The pre-chat form's custom question as it was asked, when answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prechat_question: Option<String>,
    /// The customer's answer to it (encrypted at rest like the contact
    /// details).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prechat_answer: Option<String>,
    /// When the customer submitted the pre-chat form, if they did.
    #[serde(with = "crate::time::utc_opt", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub prechat_at: Option<Timestamp>,
}

impl Customer {
    /// A new customer with no contact details.
    pub fn new(external_id: Option<String>, name: Option<String>, at: Timestamp) -> Self {
        Self {
            id: CustomerId::new(),
            external_id,
            name,
            email: None,
            phone: None,
            tags: Vec::new(),
            notes: None,
            times: Timestamps::new(at),
            erased_at: None,
            prechat_question: None,
            prechat_answer: None,
            prechat_at: None,
        }
    }
}

/// A change to a customer's profile: `None` leaves a field alone,
/// `Some(None)` clears it. Build it from validated values (see the
/// `normalize_*` functions).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerPatch {
    /// New display name.
    pub name: Option<Option<String>>,
    /// New e-mail (normalized).
    pub email: Option<Option<String>>,
    /// New phone (normalized).
    pub phone: Option<Option<String>>,
    /// New tags (replacing the old ones).
    pub tags: Option<Vec<String>>,
    /// New notes.
    pub notes: Option<Option<String>>,
    /// A submitted pre-chat form: its custom question and answer (replacing
    /// the previous ones) and when.
    pub prechat: Option<super::prechat::PrechatRecord>,
}

impl CustomerPatch {
    /// The names of the fields this patch changes (for audit entries: names
    /// only, never values).
    pub fn fields(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.name.is_some() {
            out.push("name");
        }
        if self.email.is_some() {
            out.push("email");
        }
        if self.phone.is_some() {
            out.push("phone");
        }
        if self.tags.is_some() {
            out.push("tags");
        }
        if self.notes.is_some() {
            out.push("notes");
        }
        if self.prechat.is_some() {
            out.push("prechat");
        }
        out
    }

    /// Applies the patch to `c` (the store does the same in SQL).
    pub fn apply(&self, c: &mut Customer) {
        if let Some(v) = &self.name {
            c.name.clone_from(v);
        }
        if let Some(v) = &self.email {
            c.email.clone_from(v);
        }
        if let Some(v) = &self.phone {
            c.phone.clone_from(v);
        }
        if let Some(v) = &self.tags {
            c.tags.clone_from(v);
        }
        if let Some(v) = &self.notes {
            c.notes.clone_from(v);
        }
        if let Some(p) = &self.prechat {
            c.prechat_question.clone_from(&p.question);
            c.prechat_answer.clone_from(&p.answer);
            c.prechat_at = Some(p.at);
        }
    }
}

/// One page of a key rotation over customers (see
/// `CustomerRepository::rekey_customers`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RekeyBatch {
    /// Customers looked at.
    pub scanned: u32,
    /// Customers whose stored values were rewritten.
    pub rewritten: u32,
    /// The last customer looked at: the cursor for the next batch.
    pub last: Option<CustomerId>,
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// A display name: trimmed, 1–200 characters, no control characters; empty
/// means none.
pub fn normalize_customer_name(raw: &str) -> DomainResult<Option<String>> {
    let name = raw.trim();
    if name.is_empty() {
        return Ok(None);
    }
    if name.chars().count() > MAX_NAME_CHARS || has_control(name) {
        return Err(DomainError::invalid(
            "name",
            "must be at most 200 characters, without control characters",
        ));
    }
    Ok(Some(name.to_owned()))
}

/// A phone number: digits with optional spaces, dashes, dots and parentheses,
/// and an optional leading `+`; 6 to 15 digits (E.164 has at most 15).
/// Normalized to the digits, with the `+` kept when given, so that one
/// number written two ways is found by one search.
pub fn normalize_phone(raw: &str) -> DomainResult<String> {
    let s = raw.trim();
    let (plus, rest) = match s.strip_prefix('+') {
        Some(rest) => ("+", rest),
        None => ("", s),
    };
    let allowed = rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'));
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    if !allowed || !(6..=15).contains(&digits.len()) {
        return Err(DomainError::invalid(
            "phone",
            "must be 6 to 15 digits, optionally with a leading + and spaces, dashes, dots or parentheses",
        ));
    }
    Ok(format!("{plus}{digits}"))
}

/// Tags: each trimmed, 1–50 characters without control characters;
/// duplicates dropped; at most 20.
pub fn normalize_tags(raw: &[String]) -> DomainResult<Vec<String>> {
    let mut tags: Vec<String> = Vec::new();
    for t in raw {
        let t = t.trim();
        if t.is_empty() || t.chars().count() > MAX_TAG_CHARS || has_control(t) {
            return Err(DomainError::invalid(
                "tags",
                "each tag must be 1 to 50 characters, without control characters",
            ));
        }
        if !tags.iter().any(|known| known == t) {
            tags.push(t.to_owned());
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(DomainError::invalid("tags", "at most 20 tags"));
    }
    Ok(tags)
}

/// Notes: trimmed, at most 2000 characters; empty means none.
pub fn normalize_notes(raw: &str) -> DomainResult<Option<String>> {
    let notes = raw.trim();
    if notes.is_empty() {
        return Ok(None);
    }
    if notes.chars().count() > MAX_NOTES_CHARS {
        return Err(DomainError::invalid(
            "notes",
            "must be at most 2000 characters",
        ));
    }
    Ok(Some(notes.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalize_to_digits() {
        assert_eq!(
            normalize_phone(" +86 138-0013-8000 ").unwrap(),
            "+8613800138000"
        );
        assert_eq!(normalize_phone("(021) 5555.1234").unwrap(), "02155551234");
        for bad in [
            "",
            "12345",
            "+1234567890123456",
            "call me",
            "+86 138 ext 12",
            "++8613800138000",
            "138+00138000",
        ] {
            let e = normalize_phone(bad).unwrap_err();
            assert!(
                matches!(e, DomainError::Validation { ref field, .. } if field == "phone"),
                "{bad}"
            );
        }
    }

    #[test]
    fn tags_names_and_notes() {
        let tags = normalize_tags(&[" vip ".into(), "vip".into(), "回头客".into()]).unwrap();
        assert_eq!(tags, vec!["vip", "回头客"]);
        assert!(normalize_tags(&["".into()]).is_err());
        assert!(normalize_tags(&["x".repeat(51)]).is_err());
        let many: Vec<String> = (0..21).map(|i| i.to_string()).collect();
        assert!(normalize_tags(&many).is_err());
        assert_eq!(normalize_customer_name("  ").unwrap(), None);
        assert!(normalize_customer_name("a\u{0}b").is_err());
        assert_eq!(
            normalize_notes(&"n".repeat(2000)).unwrap().unwrap().len(),
            2000
        );
        assert!(normalize_notes(&"n".repeat(2001)).is_err());
    }

    #[test]
    fn patches_list_changed_fields_only() {
        let p = CustomerPatch {
            email: Some(None),
            tags: Some(vec![]),
            ..Default::default()
        };
        assert_eq!(p.fields(), vec!["email", "tags"]);
        let mut c = Customer::new(None, Some("Ann".into()), crate::time::now());
        c.email = Some("a@b.c".into());
        p.apply(&mut c);
        assert_eq!(c.email, None);
        assert_eq!(c.name.as_deref(), Some("Ann"));
    }
}
