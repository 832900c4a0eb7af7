//! Which methods each path of a function answers, read from the function's own OpenAPI document
//! (built once, at the first request): a request whose path is one of its templates but whose method
//! is not gets 405 with `Allow`, before the router runs. So the answer and the document cannot drift.

use lambda_http::http::Method;

/// A function's path templates (`/api/tickets/{number}`), each with the methods it documents.
pub struct Routes(Vec<(Vec<Segment>, Vec<Method>)>);

#[derive(PartialEq)]
enum Segment {
    Literal(String),
    Param,
}

impl Routes {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let segments = template
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        if s.starts_with('{') {
                            Segment::Param
                        } else {
                            Segment::Literal(s.to_owned())
                        }
                    })
                    .collect();
                let methods = [
                    (Method::GET, item.get.is_some()),
                    (Method::PUT, item.put.is_some()),
                    (Method::POST, item.post.is_some()),
                    (Method::DELETE, item.delete.is_some()),
                    (Method::PATCH, item.patch.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, yes)| yes.then_some(m))
                .collect();
                (segments, methods)
            })
            .collect();
        Self(routes)
    }

    /// The methods `path` answers, when it is one of the documented paths: those of its most
    /// specific template (`/api/tickets/stats` before `/api/tickets/{number}`).
    pub fn allowed(&self, path: &str) -> Option<&[Method]> {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.0
            .iter()
            .filter(|(segments, _)| {
                segments.len() == parts.len()
                    && segments.iter().zip(&parts).all(|(s, p)| match s {
                        Segment::Literal(l) => l == p,
                        Segment::Param => true,
                    })
            })
            .max_by_key(|(segments, _)| {
                segments
                    .iter()
                    .filter(|s| matches!(s, Segment::Literal(_)))
                    .count()
            })
            .map(|(_, methods)| methods.as_slice())
    }

    /// `Some(Allow header value)` when `path` is documented but not for `method`.
    pub fn refuses(&self, method: &Method, path: &str) -> Option<String> {
        let allowed = self.allowed(path)?;
        (!allowed.contains(method)).then(|| {
            allowed
                .iter()
                .map(Method::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem};
    use utoipa::openapi::{OpenApiBuilder, PathsBuilder};

    fn doc() -> utoipa::openapi::OpenApi {
        let op = || OperationBuilder::new().build();
        OpenApiBuilder::new()
            .paths(
                PathsBuilder::new()
                    .path("/api/tickets", PathItem::new(HttpMethod::Get, op()))
                    .path("/api/tickets/stats", PathItem::new(HttpMethod::Get, op()))
                    .path(
                        "/api/tickets/{number}",
                        PathItem::from_http_methods([HttpMethod::Get, HttpMethod::Patch], op()),
                    ),
            )
            .build()
    }

    #[test]
    fn a_documented_path_refuses_other_methods_with_its_allow_list() {
        let routes = Routes::from_openapi(&doc());
        assert_eq!(routes.refuses(&Method::GET, "/api/tickets/7"), None);
        assert_eq!(
            routes.refuses(&Method::DELETE, "/api/tickets/7").as_deref(),
            Some("GET, PATCH")
        );
        // The literal template wins over the parameter one.
        assert_eq!(
            routes
                .refuses(&Method::PATCH, "/api/tickets/stats")
                .as_deref(),
            Some("GET")
        );
        assert_eq!(routes.refuses(&Method::POST, "/api/nothing/here"), None);
        assert_eq!(
            routes.refuses(&Method::PUT, "/api/tickets").as_deref(),
            Some("GET")
        );
    }
}
