//! Files as the browser sends them: a presigned POST to the S3 stand-in, with the grant's form.

use serde_json::Value;

/// Post `bytes` to S3 as the browser does, with the form of a grant (`upload.url`,
/// `upload.fields`); the stand-in's status.
pub async fn post_file(grant: &Value, content_type: &str, bytes: Vec<u8>) -> u16 {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in grant["upload"]["fields"].as_object().expect("fields") {
        form = form.text(name.clone(), value.as_str().unwrap_or_default().to_owned());
    }
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name("upload")
        .mime_str(content_type)
        .expect("media type");
    form = form.part("file", part);
    reqwest::Client::new()
        .post(grant["upload"]["url"].as_str().expect("url"))
        .multipart(form)
        .send()
        .await
        .expect("posting to S3")
        .status()
        .as_u16()
}

/// The body of the file a download redirect (`Location`) names.
pub async fn fetched(location: &str) -> (String, String) {
    let file = reqwest::get(location).await.expect("downloading");
    let disposition = file
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (disposition, file.text().await.expect("body"))
}

/// The text of the PDF a download redirect (`Location`) names, as `pdftotext` reads it (with its
/// layout kept, one line per line).
pub async fn pdf_text(location: &str) -> String {
    let bytes = reqwest::get(location)
        .await
        .expect("downloading")
        .bytes()
        .await
        .expect("body");
    pdf_text_of(&bytes)
}

/// The text of a PDF, as `pdftotext` reads it (its layout kept).
pub fn pdf_text_of(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let path =
        std::env::temp_dir().join(format!("portal-pdf-{}.pdf", portal::domain::random_hex(8)));
    std::fs::write(&path, bytes).expect("writing the PDF");
    let out = std::process::Command::new("pdftotext")
        .args(["-layout".as_ref(), path.as_os_str(), "-".as_ref()])
        .output()
        .expect("pdftotext (poppler-utils) runs");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
