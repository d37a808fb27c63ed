//! `GET /api/docs`: the browsable API reference (Swagger UI, embedded)
//! over `GET /api/openapi.json`.

use actix_web::HttpResponse;

/// The docs page's files, embedded: (name, media type, bytes).
const DOCS_FILES: &[(&str, &str, &[u8])] = &[
    (
        "",
        "text/html; charset=utf-8",
        include_bytes!("../../assets/swagger-ui/index.html"),
    ),
    (
        "init.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/swagger-ui/init.js"),
    ),
    (
        "swagger-ui-bundle.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/swagger-ui/swagger-ui-bundle.js"),
    ),
    (
        "swagger-ui.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/swagger-ui/swagger-ui.css"),
    ),
];

/// `GET /api/docs` and its files: Swagger UI over `/api/openapi.json`.
/// Scripts only from this origin (none inline); Swagger UI sets inline
/// styles, hence `'unsafe-inline'` for styles alone.
pub(crate) async fn docs_page(req: actix_web::HttpRequest) -> HttpResponse {
    let name = req
        .path()
        .trim_start_matches("/api/docs")
        .trim_start_matches('/');
    match DOCS_FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, media, bytes)) => HttpResponse::Ok()
            .content_type(*media)
            .insert_header((
                "content-security-policy",
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                 img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
            ))
            .insert_header(("x-content-type-options", "nosniff"))
            .insert_header(("cache-control", "no-cache"))
            .body(*bytes),
        None => super::error::not_found(req).await,
    }
}
