//! The pre-chat form: what the widget asks a customer before their first
//! message (name, e-mail, phone and one custom question), each field off,
//! optional or required, and the rules an answer obeys. The server applies
//! these rules twice: when the form is submitted, and when a conversation is
//! opened (a required field still missing refuses the conversation, so a
//! client cannot skip the form by writing on the socket first).

use serde::{Deserialize, Serialize};

use super::customer::{Customer, CustomerPatch, normalize_customer_name, normalize_phone};
use super::string_enum;
use super::user::normalize_email;
use crate::time::Timestamp;
use crate::{DomainError, DomainResult};

/// Longest custom question label, in characters.
pub const MAX_PRECHAT_LABEL_CHARS: usize = 200;
/// Longest answer to the custom question, in characters.
pub const MAX_PRECHAT_ANSWER_CHARS: usize = 1000;

string_enum! {
    /// Whether the form asks for a field (`off` unless set).
    #[derive(Default)]
    FieldMode {
        /// Not asked.
        #[default]
        Off => "off",
        /// Asked; may be left empty.
        Optional => "optional",
        /// Asked; the customer cannot start a conversation without it.
        Required => "required",
    }
}

/// The form an admin configured. Every field is `off` unless set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PrechatForm {
    /// The customer's name.
    #[serde(default)]
    pub name: FieldMode,
    /// The customer's e-mail address.
    #[serde(default)]
    pub email: FieldMode,
    /// The customer's phone number.
    #[serde(default)]
    pub phone: FieldMode,
    /// The custom question (its text is `custom_label`).
    #[serde(default)]
    pub custom: FieldMode,
    /// The custom question as the widget shows it (1–200 characters; required
    /// unless `custom` is `off`).
    #[serde(default)]
    pub custom_label: Option<String>,
}

/// What a customer answered, as sent (validated by [`PrechatForm::check`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PrechatAnswers {
    /// Name (at most 200 characters).
    pub name: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number: 6–15 digits, optionally `+`, spaces, dashes, dots,
    /// parentheses.
    pub phone: Option<String>,
    /// Answer to the custom question (at most 1000 characters).
    pub answer: Option<String>,
}

/// The custom question and its answer as stored on the customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrechatRecord {
    /// The question as it was asked (`None` when the form had none).
    pub question: Option<String>,
    /// The answer (`None` when left empty).
    pub answer: Option<String>,
    /// When the form was submitted.
    pub at: Timestamp,
}

impl PrechatForm {
    /// The form as an admin sent it, checked: a custom question needs its
    /// label; the label is trimmed (and dropped when the question is off).
    pub fn validated(mut self) -> DomainResult<Self> {
        let label = self
            .custom_label
            .take()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty());
        if let Some(l) = &label
            && (l.chars().count() > MAX_PRECHAT_LABEL_CHARS || l.chars().any(char::is_control))
        {
            return Err(DomainError::invalid(
                "custom_label",
                "must be at most 200 characters, without control characters",
            ));
        }
        if self.custom != FieldMode::Off && label.is_none() {
            return Err(DomainError::invalid(
                "custom_label",
                "is required when the custom question is asked",
            ));
        }
        self.custom_label = if self.custom == FieldMode::Off {
            None
        } else {
            label
        };
        Ok(self)
    }

    /// Whether the form asks anything at all.
    pub fn asks_anything(&self) -> bool {
        [self.name, self.email, self.phone, self.custom]
            .iter()
            .any(|m| *m != FieldMode::Off)
    }

    /// The first required field `customer` has not given yet (`None`: they
    /// may start a conversation).
    pub fn missing(&self, customer: &Customer) -> Option<&'static str> {
        let required = |m: FieldMode, given: bool| m == FieldMode::Required && !given;
        if required(self.name, customer.name.is_some()) {
            Some("name")
        } else if required(self.email, customer.email.is_some()) {
            Some("email")
        } else if required(self.phone, customer.phone.is_some()) {
            Some("phone")
        } else if required(self.custom, customer.prechat_answer.is_some()) {
            Some("answer")
        } else {
            None
        }
    }

    /// Checks `answers` against the form: a field the form does not ask is
    /// refused, a required one must be given, each value obeys its rules.
    /// The result changes only what was given (an empty optional field
    /// leaves the customer's stored value alone) and records the custom
    /// question with its answer.
    pub fn check(&self, answers: PrechatAnswers, at: Timestamp) -> DomainResult<CustomerPatch> {
        let given = |field: &'static str, mode: FieldMode, value: Option<String>| {
            let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
            match (mode, value) {
                (FieldMode::Off, Some(_)) => Err(DomainError::invalid(
                    field,
                    "is not asked by the pre-chat form",
                )),
                (FieldMode::Required, None) => Err(DomainError::invalid(field, "is required")),
                (_, v) => Ok(v),
            }
        };
        let name = given("name", self.name, answers.name)?
            .map(|n| normalize_customer_name(&n))
            .transpose()?
            .flatten();
        let email = given("email", self.email, answers.email)?
            .map(|e| strict_email(&e))
            .transpose()?;
        let phone = given("phone", self.phone, answers.phone)?
            .map(|p| normalize_phone(&p))
            .transpose()?;
        let answer = given("answer", self.custom, answers.answer)?
            .map(|a| check_answer(&a))
            .transpose()?;
        Ok(CustomerPatch {
            name: name.map(Some),
            email: email.map(Some),
            phone: phone.map(Some),
            prechat: Some(PrechatRecord {
                question: self.custom_label.clone().filter(|_| answer.is_some()),
                answer,
                at,
            }),
            ..CustomerPatch::default()
        })
    }
}

/// An e-mail address a person typed: the usual normalisation, and a domain
/// with a dot between non-empty labels (`name@localhost` is a typo here).
fn strict_email(raw: &str) -> DomainResult<String> {
    let email = normalize_email(raw)?;
    let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
    let labels_ok = domain.contains('.') && domain.split('.').all(|l| !l.is_empty());
    let chars_ok = email
        .chars()
        .all(|c| !c.is_control() && !matches!(c, '<' | '>' | '(' | ')' | ',' | ';' | '"'));
    if labels_ok && chars_ok {
        Ok(email)
    } else {
        Err(DomainError::invalid(
            "email",
            "must be an address like name@example.com",
        ))
    }
}

/// The custom answer: at most 1000 characters; line breaks allowed, other
/// control characters not.
fn check_answer(a: &str) -> DomainResult<String> {
    if a.chars().count() > MAX_PRECHAT_ANSWER_CHARS
        || a.chars().any(|c| c.is_control() && c != '\n')
    {
        return Err(DomainError::invalid(
            "answer",
            "must be at most 1000 characters, without control characters",
        ));
    }
    Ok(a.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::now;

    fn form() -> PrechatForm {
        PrechatForm {
            name: FieldMode::Optional,
            email: FieldMode::Required,
            phone: FieldMode::Off,
            custom: FieldMode::Optional,
            custom_label: Some("  Order number? ".into()),
        }
        .validated()
        .unwrap()
    }

    fn answers(email: &str) -> PrechatAnswers {
        PrechatAnswers {
            email: Some(email.into()),
            ..PrechatAnswers::default()
        }
    }

    fn field_of(e: DomainError) -> String {
        match e {
            DomainError::Validation { field, .. } => field,
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn a_form_needs_a_label_for_its_question() {
        assert_eq!(form().custom_label.as_deref(), Some("Order number?"));
        let no_label = PrechatForm {
            custom: FieldMode::Required,
            ..PrechatForm::default()
        };
        assert_eq!(field_of(no_label.validated().unwrap_err()), "custom_label");
        let off = PrechatForm {
            custom_label: Some("ignored".into()),
            ..PrechatForm::default()
        };
        assert_eq!(off.validated().unwrap().custom_label, None);
        assert!(!PrechatForm::default().asks_anything());
        assert!(form().asks_anything());
    }

    #[test]
    fn answers_are_checked_against_the_form() {
        let f = form();
        let at = now();
        assert_eq!(
            field_of(f.check(PrechatAnswers::default(), at).unwrap_err()),
            "email"
        );
        assert_eq!(field_of(f.check(answers("   "), at).unwrap_err()), "email");
        for bad in ["nobody", "a@b", "a@b..c", "a b@c.d", "<a@b.c>"] {
            assert_eq!(
                field_of(f.check(answers(bad), at).unwrap_err()),
                "email",
                "{bad}"
            );
        }
        let phone = PrechatAnswers {
            phone: Some("123456".into()),
            ..answers("a@b.co")
        };
        assert_eq!(field_of(f.check(phone, at).unwrap_err()), "phone");
        let long = PrechatAnswers {
            answer: Some("x".repeat(1001)),
            ..answers("a@b.co")
        };
        assert_eq!(field_of(f.check(long, at).unwrap_err()), "answer");

        let ok = PrechatAnswers {
            name: Some(" Ada ".into()),
            answer: Some("A-17".into()),
            ..answers(" Ada@Example.COM ")
        };
        let patch = f.check(ok, at).unwrap();
        assert_eq!(patch.name, Some(Some("Ada".into())));
        assert_eq!(patch.email, Some(Some("ada@example.com".into())));
        assert_eq!(patch.phone, None);
        let record = patch.prechat.unwrap();
        assert_eq!(record.question.as_deref(), Some("Order number?"));
        assert_eq!(record.answer.as_deref(), Some("A-17"));
    }

    #[test]
    fn a_customer_without_a_required_field_is_stopped() {
        let f = form();
        let mut c = Customer::new(None, None, now());
        assert_eq!(f.missing(&c), Some("email"));
        c.email = Some("a@b.co".into());
        assert_eq!(f.missing(&c), None);
        let phone = PrechatForm {
            phone: FieldMode::Required,
            ..f
        };
        assert_eq!(phone.missing(&c), Some("phone"));
    }
}
