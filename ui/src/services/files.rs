//! Image files the person picked with an `<input type="file">`, kept on this device through
//! the `add_photo` command. There is no file-dialog plugin: the webview's own picker is the
//! dialog, and the bytes cross to the shell as base64 (the contract of `AddPhoto`). Off the
//! webview nothing can be picked, so host tests see no files.
//!
//! A CSV to import goes the same way but in chunks (`UploadChunk`): only one slice of the file
//! is in memory at a time, however large the file.

use fieldstone_protocol::commands::PHOTO_MAX_BYTES;

/// A file's size checked before it is read: a 200 MB video picked by mistake is refused
/// without copying it through the webview.
pub fn too_large(name: &str, size: f64) -> Option<String> {
    // Sizes are whole bytes well below 2^53, so the comparison is exact.
    #[allow(clippy::cast_precision_loss)]
    let max = PHOTO_MAX_BYTES as f64;
    (size > max).then(|| {
        format!(
            "{name} is larger than {} MB.",
            PHOTO_MAX_BYTES / (1024 * 1024)
        )
    })
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding, as `AddPhoto` takes it.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(target_arch = "wasm32")]
pub use webview::*;

#[cfg(not(target_arch = "wasm32"))]
pub use host::*;

#[cfg(not(target_arch = "wasm32"))]
mod host {
    /// A picked file (none can be picked off the webview).
    #[derive(Debug, Clone)]
    pub struct PickedFile;

    pub fn picked(_event: &yew::Event) -> Vec<PickedFile> {
        Vec::new()
    }

    pub async fn store_photo(_file: PickedFile) -> Result<String, String> {
        Err("Photos can only be added in the app window.".into())
    }

    /// Name, size in bytes and media type of a picked file.
    pub fn describe(_file: &PickedFile) -> (String, u64, String) {
        (String::new(), 0, String::new())
    }

    pub async fn upload(
        _file: &PickedFile,
        _chunk: u64,
        _sent: impl FnMut(&fieldstone_protocol::commands::Uploaded) -> bool,
    ) -> Result<Option<String>, fieldstone_protocol::commands::CommandError> {
        Err(crate::services::bridge::internal(
            "Files can only be imported in the app window.".into(),
        ))
    }
}

#[cfg(target_arch = "wasm32")]
mod webview {
    use super::{base64, too_large};
    use crate::services::commands;
    use fieldstone_protocol::commands::{
        AddPhoto, CommandError, CommandErrorCode, UploadChunk, Uploaded,
    };
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    pub type PickedFile = web_sys::File;

    /// The files picked in the `<input type="file">` that sent `event`. The input is emptied
    /// so picking the same file again is seen again.
    pub fn picked(event: &yew::Event) -> Vec<PickedFile> {
        let Some(input) = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return Vec::new();
        };
        let files = input.files().map_or_else(Vec::new, |list| {
            (0..list.length()).filter_map(|i| list.get(i)).collect()
        });
        input.set_value("");
        files
    }

    /// Name, size in bytes and media type of a picked file.
    pub fn describe(file: &PickedFile) -> (String, u64, String) {
        // A file's size is a whole number of bytes below 2^53.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let size = file.size() as u64;
        (file.name(), size, file.type_())
    }

    /// Sends the file to the shell in slices of `chunk` bytes, calling `sent` after each (it
    /// answers whether to go on: the dialog may have been closed or another file picked).
    /// Answers the upload id, or `None` when stopped.
    pub async fn upload(
        file: &PickedFile,
        chunk: u64,
        mut sent: impl FnMut(&Uploaded) -> bool,
    ) -> Result<Option<String>, CommandError> {
        let name = file.name();
        let (_, size, _) = describe(file);
        let unreadable = || {
            CommandError::new(
                CommandErrorCode::Internal,
                format!("{name} could not be read. Check that it is still there and try again."),
            )
        };
        let mut upload_id = None;
        for range in crate::state::import::chunk_ranges(size, chunk) {
            // Offsets stay below 2^53, exact as f64.
            #[allow(clippy::cast_precision_loss)]
            let slice = file
                .slice_with_f64_and_f64(range.start as f64, range.end as f64)
                .map_err(|_| unreadable())?;
            let buffer = JsFuture::from(slice.array_buffer())
                .await
                .map_err(|_| unreadable())?;
            let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
            let uploaded = commands::upload_chunk(&UploadChunk {
                upload_id: upload_id.clone(),
                data_base64: base64(&bytes),
            })
            .await?;
            upload_id = Some(uploaded.upload_id.clone());
            if !sent(&uploaded) {
                return Ok(None);
            }
        }
        Ok(upload_id)
    }

    /// Reads the file and keeps it on this device; answers its `uri` or why not, in words.
    pub async fn store_photo(file: PickedFile) -> Result<String, String> {
        let name = file.name();
        if let Some(message) = too_large(&name, file.size()) {
            return Err(message);
        }
        let buffer = JsFuture::from(file.array_buffer())
            .await
            .map_err(|_| format!("{name} could not be read."))?;
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        let request = AddPhoto {
            data_base64: base64(&bytes),
        };
        commands::add_photo(&request)
            .await
            .map(|stored| stored.uri)
            .map_err(|error| {
                // The engine's words are about "data_base64"; name the file instead.
                match error.fields.first() {
                    Some(field) => format!("{name}: {}", field.message),
                    None => format!("{name}: {}", error.message),
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xFF, 0xD8, 0xFF, 0xE0]), "/9j/4A==");
        assert_eq!(base64(&[0xFB, 0xEF, 0xBE]), "++++");
    }

    #[test]
    fn files_over_the_limit_are_refused_by_size() {
        #[allow(clippy::cast_precision_loss)]
        let max = PHOTO_MAX_BYTES as f64;
        assert_eq!(too_large("a.jpg", max), None);
        assert_eq!(
            too_large("clip.mov", max + 1.0).as_deref(),
            Some("clip.mov is larger than 15 MB.")
        );
    }
}
