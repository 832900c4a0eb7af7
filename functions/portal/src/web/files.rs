//! File downloads as a redirect to a short-lived presigned GET (`aws::s3`) that makes the browser
//! save the file.

use lambda_http::{Body, Response};

use crate::web::error::ApiError;
use crate::web::state::App;

/// A 303 to object `key`, presigned for `aws::s3::DOWNLOAD_WINDOW`, saved as `file_name`.
pub async fn download_redirect(
    app: &App,
    key: &str,
    file_name: &str,
    content_type: &str,
) -> Result<Response<Body>, ApiError> {
    let url = app.files.download_url(key, file_name, content_type).await?;
    crate::web::http::see_other(&url)
}

/// A redirect to the PDF kept at `key` in the files bucket (as `name`), rendered by `render` and
/// stored first if it is not there yet.
pub async fn stored_pdf(
    app: &App,
    key: &str,
    name: &str,
    render: impl AsyncFnOnce() -> Result<Vec<u8>, ApiError>,
) -> Result<Response<Body>, ApiError> {
    let s3 = &app.files.client;
    let bucket = app.files.bucket()?;
    let exists = match s3.head_object().bucket(bucket).key(key).send().await {
        Ok(_) => true,
        Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => false,
        Err(err) => {
            return Err(ApiError::Internal(
                anyhow::Error::from(err).context("checking for the PDF"),
            ));
        }
    };
    if !exists {
        let bytes = render().await?;
        app.files.put(key, bytes, "application/pdf").await?;
    }
    download_redirect(app, key, name, "application/pdf").await
}
