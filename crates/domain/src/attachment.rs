//! Files sent in a conversation: what is known about one, the rules an
//! upload must pass, and the two ports behind them.
//!
//! - [`sniff`]: the type of a file from its first bytes (never from its
//!   name or the client's `Content-Type`), and an image's dimensions from
//!   its header. Only PNG, JPEG, GIF, WebP, PDF and plain UTF-8 text pass.
//! - [`sanitize_file_name`]: a name safe to store and to put in a
//!   `Content-Disposition` header.
//! - [`ObjectStorage`]: where the bytes live (a local folder or an
//!   S3-compatible bucket), by key.
//! - [`AttachmentRepository`]: the metadata (who, which conversation, type,
//!   size) in the database, which is what access checks and erasure use.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::DomainResult;
use crate::ids::{AttachmentId, ConversationId, CustomerId};
use crate::model::SenderKind;
use crate::time::Timestamp;

/// Default upload limit (`CHAT_UPLOAD_MAX_BYTES`): 10 MiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 10 * 1024 * 1024;
/// Largest width or height accepted for an image, in pixels: larger ones are
/// refused rather than handed to browsers (decompression bombs).
pub const MAX_IMAGE_SIDE: u32 = 10_000;
/// Largest image area accepted, in pixels (40 megapixels).
pub const MAX_IMAGE_PIXELS: u64 = 40_000_000;
/// Longest stored file name, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 120;

/// What a message says about its file: enough to show it (a preview for an
/// image, a download link otherwise) without another request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentMeta {
    /// The attachment's id (its download URL is
    /// `/api/v1/attachments/{id}`).
    pub id: AttachmentId,
    /// The sanitized file name.
    pub name: String,
    /// The sniffed type (`image/png`, `application/pdf`, …).
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Image width in pixels (images only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Image height in pixels (images only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

impl AttachmentMeta {
    /// True for the image types (shown inline; everything else is a download).
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
}

/// A stored attachment: its metadata plus where it belongs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// What the message carries.
    pub meta: AttachmentMeta,
    /// The conversation it was sent in (access follows the conversation).
    pub conversation_id: ConversationId,
    /// The conversation's customer (erasure deletes their files).
    pub customer_id: CustomerId,
    /// Who uploaded it.
    pub uploader_kind: SenderKind,
    /// The uploader's user or customer id.
    pub uploader_id: Option<String>,
    /// Its key in the object storage.
    pub storage_key: String,
    /// When it was uploaded (UTC).
    pub created_at: Timestamp,
}

impl Attachment {
    /// The storage key of a new attachment: grouped by customer, so that a
    /// bucket listing shows whose files are whose.
    pub fn key_for(customer: CustomerId, id: AttachmentId) -> String {
        format!("attachments/{customer}/{id}")
    }
}

/// The type of an accepted file, from its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sniffed {
    /// The MIME type.
    pub content_type: &'static str,
    /// Width and height, for images.
    pub dimensions: Option<(u32, u32)>,
}

/// Why a file was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SniffError {
    /// Not one of the accepted types (or a damaged header).
    #[error("unsupported file type: only PNG, JPEG, GIF, WebP, PDF and plain text are accepted")]
    Unsupported,
    /// An image whose header cannot be read.
    #[error("the image header is damaged: its size cannot be read")]
    BadImage,
    /// An image larger than [`MAX_IMAGE_SIDE`] or [`MAX_IMAGE_PIXELS`].
    #[error(
        "the image is {0}×{1} pixels; at most 10000 pixels a side and 40 megapixels are accepted"
    )]
    TooLarge(u32, u32),
}

/// The type of `bytes` by their magic numbers, and an image's dimensions
/// from its header (bounded: see [`MAX_IMAGE_SIDE`]). Plain text is valid
/// UTF-8 without control characters other than tab, line feed, carriage
/// return and form feed.
pub fn sniff(bytes: &[u8]) -> Result<Sniffed, SniffError> {
    let (content_type, dimensions) = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        ("image/png", Some(png_size(bytes)?))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        ("image/jpeg", Some(jpeg_size(bytes)?))
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        ("image/gif", Some(gif_size(bytes)?))
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        ("image/webp", Some(webp_size(bytes)?))
    } else if bytes.starts_with(b"%PDF-") {
        ("application/pdf", None)
    } else if is_plain_text(bytes) {
        ("text/plain", None)
    } else {
        return Err(SniffError::Unsupported);
    };
    if let Some((w, h)) = dimensions
        && (w == 0
            || h == 0
            || w > MAX_IMAGE_SIDE
            || h > MAX_IMAGE_SIDE
            || u64::from(w) * u64::from(h) > MAX_IMAGE_PIXELS)
    {
        return Err(if w == 0 || h == 0 {
            SniffError::BadImage
        } else {
            SniffError::TooLarge(w, h)
        });
    }
    Ok(Sniffed {
        content_type,
        dimensions,
    })
}

fn is_plain_text(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && std::str::from_utf8(bytes).is_ok_and(|s| {
            s.chars()
                .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0c'))
        })
}

fn be16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
    ])))
}

fn le16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
    ])))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(u32::from(s[0]) | u32::from(s[1]) << 8 | u32::from(s[2]) << 16)
}

fn png_size(b: &[u8]) -> Result<(u32, u32), SniffError> {
    // The first chunk is IHDR: width and height right after its type.
    if b.get(12..16) != Some(b"IHDR") {
        return Err(SniffError::BadImage);
    }
    be32(b, 16).zip(be32(b, 20)).ok_or(SniffError::BadImage)
}

fn gif_size(b: &[u8]) -> Result<(u32, u32), SniffError> {
    le16(b, 6).zip(le16(b, 8)).ok_or(SniffError::BadImage)
}

fn webp_size(b: &[u8]) -> Result<(u32, u32), SniffError> {
    match b.get(12..16) {
        // Lossy: the frame header's 14-bit sizes.
        Some(b"VP8 ") => le16(b, 26)
            .zip(le16(b, 28))
            .map(|(w, h)| (w & 0x3FFF, h & 0x3FFF)),
        // Lossless: 14 bits each, minus one, after the signature byte.
        Some(b"VP8L") => {
            let bits = b
                .get(21..25)
                .and_then(|s| s.try_into().ok())
                .map(u32::from_le_bytes);
            bits.map(|v| ((v & 0x3FFF) + 1, ((v >> 14) & 0x3FFF) + 1))
        }
        // Extended: 24-bit sizes minus one.
        Some(b"VP8X") => le24(b, 24).zip(le24(b, 27)).map(|(w, h)| (w + 1, h + 1)),
        _ => None,
    }
    .ok_or(SniffError::BadImage)
}

fn jpeg_size(b: &[u8]) -> Result<(u32, u32), SniffError> {
    // Walk the segments to the first start-of-frame marker.
    let mut i = 2;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            return Err(SniffError::BadImage);
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1; // fill byte
            continue;
        }
        if matches!(marker, 0xD8 | 0x01 | 0xD0..=0xD7) {
            i += 2;
            continue;
        }
        let len = be16(b, i + 2).ok_or(SniffError::BadImage)? as usize;
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let h = be16(b, i + 5).ok_or(SniffError::BadImage)?;
            let w = be16(b, i + 7).ok_or(SniffError::BadImage)?;
            return Ok((w, h));
        }
        if len < 2 {
            return Err(SniffError::BadImage);
        }
        i += 2 + len;
    }
    Err(SniffError::BadImage)
}

/// A file name safe to store and to send back in `Content-Disposition`:
/// no path (only the last component), no control characters, quotes,
/// backslashes or separators, no leading dots, at most
/// [`MAX_FILE_NAME_CHARS`] characters (keeping the extension), and `file`
/// when nothing is left.
pub fn sanitize_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '"' | '\'' | ';' | ':' | '<' | '>' | '|' | '*' | '?') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    if trimmed.is_empty() {
        return "file".to_owned();
    }
    if trimmed.chars().count() <= MAX_FILE_NAME_CHARS {
        return trimmed.to_owned();
    }
    // Too long: keep the extension (when it is short) and cut the stem.
    let (stem, ext) = match trimmed.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() && e.chars().count() <= 10 => (s, Some(e)),
        _ => (trimmed, None),
    };
    let room = MAX_FILE_NAME_CHARS - ext.map_or(0, |e| e.chars().count() + 1);
    let stem: String = stem.chars().take(room).collect();
    match ext {
        Some(e) => format!("{}.{e}", stem.trim_end()),
        None => stem.trim_end().to_owned(),
    }
}

/// The extension a sniffed type is saved with when the given name has
/// another one (a `.exe` name on PNG bytes becomes `….exe.png`), so the name
/// a downloader sees never contradicts the content.
pub fn name_for_type(name: &str, content_type: &str) -> String {
    let ext: &[&str] = match content_type {
        "image/png" => &["png"],
        "image/jpeg" => &["jpg", "jpeg"],
        "image/gif" => &["gif"],
        "image/webp" => &["webp"],
        "application/pdf" => &["pdf"],
        _ => &["txt", "text", "log", "csv", "md"],
    };
    let has = name
        .rsplit_once('.')
        .is_some_and(|(_, e)| ext.iter().any(|x| x.eq_ignore_ascii_case(e)));
    if has {
        name.to_owned()
    } else {
        sanitize_file_name(&format!("{name}.{}", ext[0]))
    }
}

/// Failures of an [`ObjectStorage`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// No object under this key.
    #[error("no object under {0}")]
    NotFound(String),
    /// The storage cannot be reached or refused the operation.
    #[error("object storage: {0}")]
    Backend(String),
}

impl From<StorageError> for crate::DomainError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound(_) => crate::DomainError::NotFound("attachment"),
            StorageError::Backend(m) => crate::DomainError::Unavailable(m),
        }
    }
}

/// Where attachment bytes live, by key (`attachments/{customer}/{id}`).
/// Implemented over a local folder and over S3-compatible storage.
#[async_trait]
pub trait ObjectStorage: Send + Sync {
    /// Stores `bytes` under `key`, replacing what was there. Durable when it returns.
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StorageError>;
    /// The bytes under `key`; [`StorageError::NotFound`] when there are none.
    async fn get(&self, key: &str) -> Result<Vec<u8>, StorageError>;
    /// Deletes the object under `key`; deleting a missing key succeeds.
    async fn delete(&self, key: &str) -> Result<(), StorageError>;
    /// The keys under `prefix` (for tests and clean-up tools).
    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError>;
}

/// Attachment metadata in the database.
#[async_trait]
pub trait AttachmentRepository: Send + Sync {
    /// Records an uploaded attachment (its bytes are already stored).
    async fn insert_attachment(&self, attachment: &Attachment) -> DomainResult<()>;
    /// One attachment by id.
    async fn attachment_by_id(&self, id: AttachmentId) -> DomainResult<Option<Attachment>>;
    /// Every attachment of a customer's conversations (erasure).
    async fn attachments_of_customer(&self, customer: CustomerId) -> DomainResult<Vec<Attachment>>;
    /// Deletes these attachments' records (after their bytes).
    async fn delete_attachments(&self, ids: &[AttachmentId]) -> DomainResult<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The start of a 3×2 PNG (signature and IHDR), as a browser would send it.
    const PNG_3X2: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R', 0,
        0, 0, 3, 0, 0, 0, 2, 8, 6, 0, 0, 0,
    ];

    #[test]
    fn types_come_from_the_content() {
        let png = sniff(PNG_3X2).unwrap();
        assert_eq!(png.content_type, "image/png");
        assert_eq!(png.dimensions, Some((3, 2)));
        assert_eq!(
            sniff(b"GIF89a\x05\x00\x07\x00rest").unwrap().dimensions,
            Some((5, 7))
        );
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 11, 8, 0, 20, 0, 30, 3,
        ];
        assert_eq!(sniff(&jpeg).unwrap().dimensions, Some((30, 20)));
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X".to_vec();
        webp.extend_from_slice(&[0; 8]);
        webp.extend_from_slice(&[9, 0, 0, 4, 0, 0]);
        assert_eq!(sniff(&webp).unwrap().dimensions, Some((10, 5)));
        assert_eq!(
            sniff(b"%PDF-1.7\n...").unwrap().content_type,
            "application/pdf"
        );
        assert_eq!(
            sniff("hello\nwörld\t!".as_bytes()).unwrap().content_type,
            "text/plain"
        );
    }

    #[test]
    fn other_content_is_refused_whatever_its_name() {
        assert_eq!(sniff(b"MZ\x90\x00"), Err(SniffError::Unsupported));
        assert_eq!(
            sniff(b"<html>\x00<script>"),
            Err(SniffError::Unsupported),
            "NUL: not text"
        );
        assert_eq!(sniff(b""), Err(SniffError::Unsupported));
        assert_eq!(sniff(&[0xFF, 0xFE, 0x00]), Err(SniffError::Unsupported));
        // A PNG header with a truncated IHDR.
        assert_eq!(sniff(&PNG_3X2[..14]), Err(SniffError::BadImage));
    }

    #[test]
    fn huge_images_are_refused() {
        let mut png = PNG_3X2.to_vec();
        png[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        assert_eq!(sniff(&png), Err(SniffError::TooLarge(20_000, 2)));
        png[16..20].copy_from_slice(&9_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&9_000u32.to_be_bytes());
        assert_eq!(sniff(&png), Err(SniffError::TooLarge(9_000, 9_000)));
    }

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("C:\\Users\\me\\photo.png"), "photo.png");
        assert_eq!(sanitize_file_name("a\"b;c\r\n.pdf"), "a_b_c__.pdf");
        assert_eq!(sanitize_file_name("..."), "file");
        assert_eq!(sanitize_file_name(".htaccess"), "htaccess");
        assert_eq!(sanitize_file_name("  "), "file");
        let long = format!("{}.pdf", "é".repeat(300));
        let cut = sanitize_file_name(&long);
        assert_eq!(cut.chars().count(), MAX_FILE_NAME_CHARS);
        assert!(cut.ends_with(".pdf"));
        assert_eq!(name_for_type("invoice.exe", "image/png"), "invoice.exe.png");
        assert_eq!(name_for_type("photo.JPEG", "image/jpeg"), "photo.JPEG");
    }
}
