//! Which files the portal takes: an allow-list by extension — office documents, PDFs, images (not
//! SVG, which can carry script), text and logs, archives, and saved emails — each with the media
//! types browsers report for it. The stored type is always the extension's own, so a file is served
//! as what its name says it is (and always as a download).

/// Extension, the type stored and served, and the other types browsers send for it.
const ALLOWED: &[(&str, &str, &[&str])] = &[
    ("pdf", "application/pdf", &["application/x-pdf"]),
    ("doc", "application/msword", &[]),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &[],
    ),
    ("xls", "application/vnd.ms-excel", &[]),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &[],
    ),
    ("ppt", "application/vnd.ms-powerpoint", &[]),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        &[],
    ),
    ("odt", "application/vnd.oasis.opendocument.text", &[]),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet", &[]),
    (
        "odp",
        "application/vnd.oasis.opendocument.presentation",
        &[],
    ),
    ("rtf", "application/rtf", &["text/rtf"]),
    (
        "csv",
        "text/csv",
        &["application/vnd.ms-excel", "text/plain"],
    ),
    ("png", "image/png", &[]),
    ("jpg", "image/jpeg", &["image/pjpeg"]),
    ("jpeg", "image/jpeg", &["image/pjpeg"]),
    ("gif", "image/gif", &[]),
    ("webp", "image/webp", &[]),
    ("bmp", "image/bmp", &["image/x-ms-bmp"]),
    ("tif", "image/tiff", &[]),
    ("tiff", "image/tiff", &[]),
    ("heic", "image/heic", &["image/heif"]),
    ("txt", "text/plain", &[]),
    ("log", "text/plain", &["text/x-log"]),
    ("md", "text/markdown", &["text/plain", "text/x-markdown"]),
    ("json", "application/json", &["text/plain"]),
    ("xml", "application/xml", &["text/xml", "text/plain"]),
    ("zip", "application/zip", &["application/x-zip-compressed"]),
    ("7z", "application/x-7z-compressed", &[]),
    ("gz", "application/gzip", &["application/x-gzip"]),
    (
        "tgz",
        "application/gzip",
        &["application/x-gzip", "application/x-compressed"],
    ),
    ("tar", "application/x-tar", &[]),
    (
        "rar",
        "application/vnd.rar",
        &["application/x-rar-compressed"],
    ),
    ("eml", "message/rfc822", &[]),
    ("msg", "application/vnd.ms-outlook", &[]),
];

/// Why a file is refused, and on which field.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The extension is not on the list (or there is none).
    Kind,
    /// The declared type is not one this extension is sent as.
    Type,
}

impl Refusal {
    pub fn field(&self) -> &'static str {
        match self {
            Refusal::Kind => "file_name",
            Refusal::Type => "content_type",
        }
    }

    pub fn message(&self) -> &'static str {
        match self {
            Refusal::Kind => {
                "Files of this kind are not accepted: attach office documents, PDFs, images, text or log files, archives or saved emails"
            }
            Refusal::Type => "The file's type does not match its name",
        }
    }
}

/// The media type to store `file_name` as, given the type the browser declared (already cleaned:
/// lower case, no parameters; `application/octet-stream` when it did not know).
pub fn media_type(file_name: &str, declared: &str) -> Result<&'static str, Refusal> {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .ok_or(Refusal::Kind)?;
    let (_, stored, others) = ALLOWED
        .iter()
        .find(|(e, _, _)| *e == ext)
        .ok_or(Refusal::Kind)?;
    if declared == "application/octet-stream" || declared == *stored || others.contains(&declared) {
        Ok(stored)
    } else {
        Err(Refusal::Type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_images_text_archives_and_mail_pass_as_their_own_type() {
        assert_eq!(
            media_type("Q3 report.PDF", "application/pdf"),
            Ok("application/pdf")
        );
        assert_eq!(
            media_type("scan.jpeg", "application/octet-stream"),
            Ok("image/jpeg")
        );
        assert_eq!(media_type("printer.log", "text/x-log"), Ok("text/plain"));
        assert_eq!(
            media_type("logs.tar.gz", "application/x-gzip"),
            Ok("application/gzip")
        );
        assert_eq!(
            media_type("Re: invoice.msg", "application/octet-stream"),
            Ok("application/vnd.ms-outlook")
        );
        assert_eq!(
            media_type("headers.eml", "message/rfc822"),
            Ok("message/rfc822")
        );
    }

    #[test]
    fn scripts_svg_executables_and_disguised_types_are_refused() {
        for name in [
            "logo.svg",
            "setup.exe",
            "run.ps1",
            "page.html",
            "macro.js",
            "noextension",
        ] {
            assert_eq!(
                media_type(name, "application/octet-stream"),
                Err(Refusal::Kind),
                "{name}"
            );
        }
        assert_eq!(media_type("invoice.pdf", "text/html"), Err(Refusal::Type));
        assert_eq!(media_type("photo.png", "image/svg+xml"), Err(Refusal::Type));
    }

    #[test]
    fn no_allowed_type_is_one_a_browser_would_run() {
        for (ext, stored, others) in ALLOWED {
            for t in std::iter::once(stored).chain(others.iter()) {
                assert!(
                    !t.contains("html") && !t.contains("svg") && !t.contains("javascript"),
                    "{ext}: {t}"
                );
            }
        }
    }
}
