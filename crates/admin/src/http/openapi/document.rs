//! The OpenAPI document, built from the route table and the body schemas
//! the route modules register.

use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, ParameterStyle,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ComponentsBuilder, Schema};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{
    ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathItem, PathsBuilder, RefOr, Required,
    ResponseBuilder,
};

use super::table::{Body, Out, ROUTES, Route, Who};
use crate::http::schemas::{Schemas, reference};

/// Whether a route refuses to run without this query parameter.
fn query_required(path: &str, name: &str) -> bool {
    matches!(
        (path, name),
        ("/api/v1/inbox/summaries", "ids") | ("/api/v1/knowledge/search", "q")
    )
}

/// The schema of a query parameter, by its name (the same name means the
/// same rule on every route): what the handlers accept, no more, no less.
fn query_schema(path: &str, name: &str) -> RefOr<Schema> {
    use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    let integer = |min: i64, max: Option<i64>| {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(min))
            .maximum(max)
    };
    let one_of = |values: &[&str]| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values.iter().copied()))
    };
    match name {
        "limit" => integer(1, Some(limit_max(path))),
        "k" => integer(1, Some(20)),
        "keep_previous_secs" => integer(0, Some(604_800)),
        "after_seq" | "before_seq" => integer(0, None),
        "state" => one_of(&["bot", "queued", "human", "closed"]),
        "status" => one_of(&["pending", "delivered", "failed"]),
        "by" => one_of(&["day", "agent"]),
        "snoozed" => one_of(&["true", "false"]),
        "from" | "to" => ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
        "customer_id" | "actor_id" | "after" | "before" => ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::Custom("uuid".into()))),
        // Comma-separated ids (`style: form`, `explode: false`, set below).
        // `me` or a user id.
        "assignee" => {
            return utoipa::openapi::schema::AnyOfBuilder::new()
                .item(one_of(&["me"]))
                .item(chat_domain::openapi::uuid_schema())
                .into();
        }
        "ids" => {
            return ArrayBuilder::new()
                .items(chat_domain::openapi::uuid_schema())
                .min_items(Some(1))
                .max_items(Some(200))
                .into();
        }
        "cursor" => {
            use crate::http::routes::conversations::{CURSOR_LEN, CURSOR_PATTERN};
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(CURSOR_PATTERN))
                .min_length(Some(CURSOR_LEN))
                .max_length(Some(CURSOR_LEN))
        }
        "q" => {
            let (min, max) = match path {
                "/api/v1/conversations" => (1, 200),
                "/api/v1/knowledge/search" => (1, 500),
                _ => (1, 200),
            };
            let search = ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(min))
                .max_length(Some(max));
            if path == "/api/v1/knowledge/search" || path == "/api/v1/conversations" {
                // Blank is refused.
                search.pattern(Some(r"\S"))
            } else {
                search
            }
        }
        _ => ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1)),
    }
    .into()
}

/// The largest page a list route serves (`paging::limit`'s `max` there).
fn limit_max(path: &str) -> i64 {
    match path {
        "/api/v1/conversations/{id}/messages" | "/api/v1/widget/conversations/{id}/messages" => 500,
        "/api/v1/webhooks/{id}/deliveries" => 100,
        _ => 200,
    }
}

fn http_method(m: &str) -> HttpMethod {
    match m {
        "post" => HttpMethod::Post,
        "put" => HttpMethod::Put,
        "patch" => HttpMethod::Patch,
        "delete" => HttpMethod::Delete,
        _ => HttpMethod::Get,
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        // Only ever a second success: a resend answered with the first copy.
        200 => {
            "Already done: a resend with the same `client_msg_id` gets the copy stored the first time."
        }
        400 => "Validation failed: `error.field` names the field and the message the rule.",
        401 => "No valid token (missing, expired, revoked) or wrong credentials.",
        403 => "Signed in, but this role (or token kind) may not do this.",
        404 => "No such resource, or not one the caller may see.",
        409 => "Conflicts with the current state (duplicate, wrong life-cycle state).",
        413 => "Body over the size limit (uploads: the file, in bytes or image pixels).",
        415 => {
            "Body is not `application/json` (uploads: not `multipart/form-data`, or a file type that is not accepted)."
        }
        429 => "Too many attempts; `Retry-After` says when to retry.",
        500 => "A bug; the details are in the server log.",
        503 => "The database or another dependency is unavailable.",
        _ => "",
    }
}

/// Every status `route` can answer, success first.
pub fn statuses(route: &Route) -> Vec<u16> {
    let mut out = vec![route.ok.0];
    if !route.roles.contains(&Who::Anonymous) {
        out.push(401);
        if Who::ALL[1..].iter().any(|w| !route.roles.contains(w)) {
            out.push(403);
        }
    }
    if !matches!(route.body, Body::None) {
        out.extend([400, 413, 415]);
    }
    if route.path.contains('{') {
        out.extend([400, 404]);
    }
    out.extend(route.also);
    out.extend([500, 503]);
    let mut seen = Vec::new();
    out.retain(|s| {
        let new = !seen.contains(s);
        seen.push(*s);
        new
    });
    out
}

fn success_body(out: Out) -> Option<(&'static str, RefOr<Schema>)> {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    let list = |name: &str| ArrayBuilder::new().items(reference(name));
    match out {
        Out::Empty => None,
        Out::Json(name) => Some(("application/json", reference(name))),
        Out::Items(name) => Some((
            "application/json",
            ObjectBuilder::new()
                .property("items", list(name))
                .required("items")
                .into(),
        )),
        Out::Page(name, cursor) => Some((
            "application/json",
            ObjectBuilder::new()
                .property("items", list(name))
                .required("items")
                .property(
                    cursor,
                    ObjectBuilder::new()
                        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                            Type::String,
                            Type::Null,
                        ]))
                        .description(Some("Pass back for the next page; `null` at the end.")),
                )
                .required(cursor)
                .into(),
        )),
        Out::Media(media) => Some((media, ObjectBuilder::new().schema_type(Type::String).into())),
        Out::Object => Some((
            "application/json",
            ObjectBuilder::new().schema_type(Type::Object).into(),
        )),
    }
}

/// The document.
pub fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    let mut items: Vec<(&str, PathItem)> = Vec::new();
    for route in ROUTES {
        let mut op = OperationBuilder::new()
            .tag(route.tag)
            .summary(Some(route.summary))
            .operation_id(Some(format!(
                "{}_{}",
                route.method,
                route
                    .path
                    .trim_start_matches("/api/v1")
                    .trim_matches('/')
                    .replace(['/', '-', '.'], "_")
                    .replace(['{', '}'], "")
            )));
        for segment in route.path.split('/') {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                op = op.parameter(
                    ParameterBuilder::new()
                        .name(name)
                        .parameter_in(ParameterIn::Path)
                        .required(Required::True)
                        .schema(Some(chat_domain::openapi::uuid_schema())),
                );
            }
        }
        for (name, meaning) in route.query {
            let schema = query_schema(route.path, name);
            let list = matches!(&schema, RefOr::T(Schema::Array(_)));
            let mut parameter = ParameterBuilder::new()
                .name(*name)
                .parameter_in(ParameterIn::Query)
                .required(if query_required(route.path, name) {
                    Required::True
                } else {
                    Required::False
                })
                .description(Some(*meaning))
                .schema(Some(schema));
            if list {
                // A list is one comma-separated value: `ids=a,b`.
                parameter = parameter
                    .style(Some(ParameterStyle::Form))
                    .explode(Some(false));
            }
            op = op.parameter(parameter);
        }
        match route.body {
            Body::None => {}
            Body::Json(name) | Body::OptionalJson(name) => {
                op = op.request_body(Some(
                    RequestBodyBuilder::new()
                        .required(Some(if matches!(route.body, Body::Json(_)) {
                            Required::True
                        } else {
                            Required::False
                        }))
                        .content(
                            "application/json",
                            ContentBuilder::new().schema(Some(reference(name))).build(),
                        )
                        .build(),
                ));
            }
        }
        for status in statuses(route) {
            let response = if (200..300).contains(&status) {
                // Another success (a resend's 200 beside a 201) has the
                // success's body.
                let what = if status == route.ok.0 {
                    "Success."
                } else {
                    reason(status)
                };
                let mut r = ResponseBuilder::new().description(what);
                if let Some((media, schema)) = success_body(route.ok.1) {
                    r = r.content(media, ContentBuilder::new().schema(Some(schema)).build());
                }
                r.build()
            } else {
                ResponseBuilder::new()
                    .description(reason(status))
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(reference("Error")))
                            .build(),
                    )
                    .build()
            };
            op = op.response(status.to_string(), response);
        }
        if !route.roles.contains(&Who::Anonymous) {
            op = op.security(SecurityRequirement::new("bearer", Vec::<String>::new()));
        }
        let roles: Vec<&str> = route.roles.iter().map(|w| w.name()).collect();
        op = op.extensions(Some(
            ExtensionsBuilder::new()
                .add("x-roles", serde_json::json!(roles))
                .build(),
        ));
        let item = PathItem::new(http_method(route.method), op.build());
        items.push((route.path, item));
    }
    // Merge the operations of one path into one item.
    let mut merged: Vec<(&str, PathItem)> = Vec::new();
    for (path, item) in items {
        match merged.iter_mut().find(|(p, _)| *p == path) {
            Some((_, existing)) => existing.merge_operations(item),
            None => merged.push((path, item)),
        }
    }
    for (path, item) in merged {
        paths = paths.path(path, item);
    }

    let mut schemas = Schemas::default();
    schemas.add::<chat_domain::model::Conversation>();
    schemas.add::<chat_domain::model::Message>();
    schemas.add::<chat_domain::model::User>();
    schemas.add::<chat_domain::model::KnowledgeDoc>();
    schemas.add::<chat_domain::model::CannedResponse>();
    schemas.add::<chat_domain::model::AuditEntry>();
    schemas.add::<crate::auth::TokenPair>();
    crate::http::routes::schemas(&mut schemas);
    let mut components = ComponentsBuilder::new()
        .schemas_from_iter(schemas.into_inner())
        .security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    components = components.schema("Error", error_schema());
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Chat API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Customer-service chat: back office and widget REST API. \
                     Real-time messaging is the WebSocket protocol at `/ws` (docs/PROTOCOL.md). \
                     `x-roles` on each operation lists who may call it.",
                ))
                .build(),
        )
        .paths(paths.build())
        .components(Some(components.build()))
        .tags(Some(
            [
                "operations",
                "auth",
                "users",
                "audit",
                "conversations",
                "customers",
                "knowledge",
                "canned",
                "statistics",
                "availability",
                "webhooks",
                "settings",
                "widget",
            ]
            .map(|t| TagBuilder::new().name(t).build()),
        ))
        .build()
}

fn error_schema() -> RefOr<Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let text = |d: &str| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(d.to_owned()))
    };
    ObjectBuilder::new()
        .property(
            "error",
            ObjectBuilder::new()
                .property(
                    "code",
                    text("Stable machine code: validation_failed, unauthenticated, forbidden, not_found, conflict, …"),
                )
                .required("code")
                .property("message", text("For people; never contains secrets."))
                .required("message")
                .property("field", text("The field at fault, for validation errors.")),
        )
        .required("error")
        .into()
}
