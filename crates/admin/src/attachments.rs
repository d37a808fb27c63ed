//! Attachments: the use cases behind the upload and download routes
//! (`http/routes/attachments.rs`) and the file half of a customer's erasure.
//!
//! An upload is checked before its bytes are kept: the caller may post in
//! the conversation, the size is within [`Attachments::max_bytes`], the
//! content is one of the accepted types (by its bytes, see
//! [`chat_domain::attachment::sniff`]) and an image's dimensions are bounded.
//! Then the bytes go to the object storage, the metadata to the database,
//! and a message of kind `attachment` is posted through the conversation
//! use cases (sequence, socket delivery, resume: like any message). A step
//! that fails undoes the earlier ones.

use std::sync::Arc;

use chat_domain::attachment::{
    Attachment, AttachmentMeta, AttachmentRepository, ObjectStorage, SniffError, name_for_type,
    sanitize_file_name, sniff,
};
use chat_domain::auth::Principal;
use chat_domain::ids::{AttachmentId, ConversationId, CustomerId};
use chat_domain::model::{AppendOutcome, SenderKind};
use chat_domain::ports::{ConversationCommands, Store};
use chat_domain::time::now;
use chat_domain::{DomainError, DomainResult, access};

/// Why an upload was refused, beyond the domain's own errors: the HTTP layer
/// answers 413 and 415 for these.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Larger than the limit (bytes or pixels).
    #[error("{0}")]
    TooLarge(String),
    /// Not an accepted type.
    #[error("{0}")]
    Unsupported(String),
    /// Anything else (access, validation, storage).
    #[error(transparent)]
    Domain(#[from] DomainError),
}

/// One upload, as received (its checks are [`Attachments::upload`]'s).
pub struct Upload {
    /// The target conversation.
    pub conversation: ConversationId,
    /// Its customer (from [`Attachments::check_upload`]).
    pub customer: CustomerId,
    /// The name the client gave the file.
    pub file_name: String,
    /// The file.
    pub bytes: Vec<u8>,
    /// The sender's id for the message (resends are idempotent).
    pub client_msg_id: Option<String>,
}

/// The attachment use cases and their settings.
pub struct Attachments {
    /// Where the bytes go.
    pub storage: Arc<dyn ObjectStorage>,
    /// Where the metadata goes.
    pub repo: Arc<dyn AttachmentRepository>,
    /// Largest accepted file (`CHAT_UPLOAD_MAX_BYTES`).
    pub max_bytes: u64,
}

impl Attachments {
    /// Who may upload into `conversation`: the same rule as posting a text
    /// message there (checked again, under the conversation's lock, when
    /// the message is written). Returns the conversation's customer.
    pub async fn check_upload(
        &self,
        store: &dyn Store,
        who: &Principal,
        conversation: ConversationId,
    ) -> DomainResult<CustomerId> {
        let conv = store
            .conversation_by_id(conversation)
            .await?
            .ok_or(DomainError::NotFound("conversation"))?;
        access::ensure_post(who, &conv, false)?;
        Ok(conv.customer_id)
    }

    /// Stores an uploaded file and posts its message. `duplicate` in the
    /// outcome: the same `client_msg_id` was already used by this sender;
    /// the new copy is discarded and the first message returned.
    pub async fn upload(
        &self,
        commands: &dyn ConversationCommands,
        who: &Principal,
        upload: Upload,
    ) -> Result<AppendOutcome, UploadError> {
        let Upload {
            conversation,
            customer,
            file_name,
            bytes,
            client_msg_id,
        } = upload;
        let size = bytes.len() as u64;
        if size > self.max_bytes {
            return Err(UploadError::TooLarge(self.too_large()));
        }
        let sniffed = sniff(&bytes).map_err(|e| match e {
            SniffError::TooLarge(..) => UploadError::TooLarge(e.to_string()),
            SniffError::Unsupported | SniffError::BadImage => {
                UploadError::Unsupported(e.to_string())
            }
        })?;
        let id = AttachmentId::new();
        let (uploader_kind, uploader_id) = match who {
            Principal::Customer { customer_id } => {
                (SenderKind::Customer, Some(customer_id.to_string()))
            }
            Principal::Staff { user_id, .. } => (SenderKind::Agent, Some(user_id.to_string())),
        };
        let attachment = Attachment {
            meta: AttachmentMeta {
                id,
                name: name_for_type(&sanitize_file_name(&file_name), sniffed.content_type),
                content_type: sniffed.content_type.to_owned(),
                size,
                width: sniffed.dimensions.map(|d| d.0),
                height: sniffed.dimensions.map(|d| d.1),
            },
            conversation_id: conversation,
            customer_id: customer,
            uploader_kind,
            uploader_id,
            storage_key: Attachment::key_for(customer, id),
            created_at: now(),
        };
        self.storage
            .put(&attachment.storage_key, bytes)
            .await
            .map_err(DomainError::from)?;
        if let Err(e) = self.repo.insert_attachment(&attachment).await {
            self.discard(&attachment, false).await;
            return Err(e.into());
        }
        match commands
            .post_attachment(who, conversation, attachment.meta.clone(), client_msg_id)
            .await
        {
            Ok(outcome) => {
                if outcome.duplicate {
                    self.discard(&attachment, true).await;
                }
                Ok(outcome)
            }
            Err(e) => {
                // Closed or taken over meanwhile: nothing refers to the file.
                self.discard(&attachment, true).await;
                Err(e.into())
            }
        }
    }

    /// The refusal message for an oversize file.
    pub fn too_large(&self) -> String {
        format!(
            "the file is larger than the limit of {} bytes ({:.1} MiB)",
            self.max_bytes,
            self.max_bytes as f64 / (1024.0 * 1024.0)
        )
    }

    /// Best-effort removal of an attachment nothing refers to.
    async fn discard(&self, attachment: &Attachment, recorded: bool) {
        if recorded && let Err(e) = self.repo.delete_attachments(&[attachment.meta.id]).await {
            tracing::warn!(error = %e, id = %attachment.meta.id, "could not remove an unused attachment record");
        }
        if let Err(e) = self.storage.delete(&attachment.storage_key).await {
            tracing::warn!(error = %e, key = %attachment.storage_key, "could not remove an unused attachment file");
        }
    }

    /// An attachment and its bytes, for `who` if they may see its
    /// conversation; `NotFound` otherwise (ids cannot be probed).
    pub async fn download(
        &self,
        store: &dyn Store,
        who: &Principal,
        id: AttachmentId,
    ) -> DomainResult<(Attachment, Vec<u8>)> {
        let attachment = self
            .repo
            .attachment_by_id(id)
            .await?
            .ok_or(DomainError::NotFound("attachment"))?;
        let conv = store
            .conversation_by_id(attachment.conversation_id)
            .await?
            .ok_or(DomainError::NotFound("attachment"))?;
        if !access::can_view(who, &conv) {
            return Err(DomainError::NotFound("attachment"));
        }
        let bytes = self.storage.get(&attachment.storage_key).await?;
        Ok((attachment, bytes))
    }

    /// Deletes every file of a customer's conversations, then their records
    /// (GDPR erasure). Safe to repeat: a retry deletes what is left.
    /// Returns how many were deleted.
    pub async fn erase_customer(&self, customer: CustomerId) -> DomainResult<usize> {
        let files = self.repo.attachments_of_customer(customer).await?;
        for f in &files {
            self.storage.delete(&f.storage_key).await?;
        }
        let ids: Vec<AttachmentId> = files.iter().map(|f| f.meta.id).collect();
        self.repo.delete_attachments(&ids).await?;
        Ok(files.len())
    }
}
