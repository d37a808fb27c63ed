//! The pre-chat form's configuration (`PrechatRepository`): one row per
//! field, replaced together in one transaction.

use async_trait::async_trait;
use chat_domain::DomainResult;
use chat_domain::model::{FieldMode, PrechatForm};
use chat_domain::ports::PrechatRepository;
use chat_domain::time::Timestamp;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::SqlStore;
use crate::db::with_tx;
use crate::rows::parse;
use crate::schema::prechat_fields as fields;

/// The stored field names.
const NAME: &str = "name";
const EMAIL: &str = "email";
const PHONE: &str = "phone";
const CUSTOM: &str = "custom";

#[async_trait]
impl PrechatRepository for SqlStore {
    async fn prechat_form(&self) -> DomainResult<PrechatForm> {
        let rows: Vec<(String, String, Option<String>)> = self
            .load(fields::table.select((fields::field, fields::mode, fields::label)))
            .await?;
        let mut form = PrechatForm::default();
        for (field, mode, label) in rows {
            let mode: FieldMode = parse("prechat_fields.mode", &mode)?;
            match field.as_str() {
                NAME => form.name = mode,
                EMAIL => form.email = mode,
                PHONE => form.phone = mode,
                CUSTOM => {
                    form.custom = mode;
                    form.custom_label = label;
                }
                // A field a newer version added: this one does not ask it.
                _ => {}
            }
        }
        Ok(form)
    }

    async fn save_prechat_form(&self, form: &PrechatForm, at: Timestamp) -> DomainResult<()> {
        let rows: Vec<(&'static str, &'static str, Option<String>)> = vec![
            (NAME, form.name.as_str(), None),
            (EMAIL, form.email.as_str(), None),
            (PHONE, form.phone.as_str(), None),
            (CUSTOM, form.custom.as_str(), form.custom_label.clone()),
        ];
        with_tx!(self, |tx| {
            diesel::delete(fields::table).execute(tx).await?;
            for (field, mode, label) in &rows {
                diesel::insert_into(fields::table)
                    .values((
                        fields::field.eq(*field),
                        fields::mode.eq(*mode),
                        fields::label.eq(label.as_deref()),
                        fields::updated_at.eq(at),
                    ))
                    .execute(tx)
                    .await?;
            }
            Ok::<_, diesel::result::Error>(())
        })?;
        Ok(())
    }
}
