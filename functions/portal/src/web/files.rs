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
