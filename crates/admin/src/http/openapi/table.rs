//! The route table: one row per operation of the API, with who may call
//! it (the RBAC matrix), its query parameters, body, success and the
//! statuses particular to it. The document ([`super::document`]) and the
//! `Allow` header of a 405 ([`allowed_methods`]) are derived from it; the
//! RBAC matrix test (`apps/server/tests/rbac.rs`) checks the server against
//! the served document, cell by cell.

/// Who calls: the columns of the RBAC matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// No token.
    Anonymous,
    /// A widget (customer) token.
    Customer,
    /// A staff token, role agent.
    Agent,
    /// A staff token, role supervisor.
    Supervisor,
    /// A staff token, role admin.
    Admin,
}

impl Who {
    /// Every column, in the matrix's order.
    pub const ALL: [Who; 5] = [
        Who::Anonymous,
        Who::Customer,
        Who::Agent,
        Who::Supervisor,
        Who::Admin,
    ];

    /// The name used in `x-roles`.
    pub const fn name(self) -> &'static str {
        match self {
            Who::Anonymous => "anonymous",
            Who::Customer => "customer",
            Who::Agent => "agent",
            Who::Supervisor => "supervisor",
            Who::Admin => "admin",
        }
    }
}

const EVERYONE: &[Who] = &Who::ALL;
const STAFF: &[Who] = &[Who::Agent, Who::Supervisor, Who::Admin];
const SUPERVISORS: &[Who] = &[Who::Supervisor, Who::Admin];
const ADMINS: &[Who] = &[Who::Admin];
const CUSTOMERS: &[Who] = &[Who::Customer];

/// A request body.
#[derive(Clone, Copy)]
pub enum Body {
    /// None.
    None,
    /// JSON, described by this component schema.
    Json(&'static str),
    /// JSON, optional.
    OptionalJson(&'static str),
}

/// A success response.
#[derive(Clone, Copy)]
pub enum Out {
    /// No content.
    Empty,
    /// JSON, this component schema.
    Json(&'static str),
    /// JSON `{"items": [...], <cursor>: ...}` of this component schema.
    Page(&'static str, &'static str),
    /// JSON `{"items": [...]}`.
    Items(&'static str),
    /// Another media type.
    Media(&'static str),
    /// A JSON object the summary describes.
    Object,
}

/// One operation.
pub struct Route {
    /// `get`, `post`, `put`, `patch` or `delete`.
    pub method: &'static str,
    /// The full path, with `{name}` parameters.
    pub path: &'static str,
    /// Group in the docs.
    pub tag: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Who may call it (the others get 401 or 403).
    pub roles: &'static [Who],
    /// Query parameters: name and meaning.
    pub query: &'static [(&'static str, &'static str)],
    /// Request body.
    pub body: Body,
    /// Success status and body.
    pub ok: (u16, Out),
    /// Statuses particular to this route (conflicts, throttling, …).
    pub also: &'static [u16],
}

const PAGING: (&str, &str) = ("limit", "Page size (default and maximum per route).");

macro_rules! route {
    ($method:literal $path:literal, $tag:literal, $summary:literal, $roles:expr,
     query: $query:expr, body: $body:expr, ok: $ok:expr, also: $also:expr) => {
        Route {
            method: $method,
            path: $path,
            tag: $tag,
            summary: $summary,
            roles: $roles,
            query: $query,
            body: $body,
            ok: $ok,
            also: $also,
        }
    };
}

/// Every operation of the API.
pub const ROUTES: &[Route] = &[
    // Operations.
    route!("get" "/healthz", "operations", "Liveness: the process answers (`{\"status\": \"ok\"}`).", EVERYONE,
        query: &[], body: Body::None, ok: (200, Out::Object), also: &[]),
    route!("get" "/readyz", "operations", "Readiness: the database (and Redis) answer (`{\"status\", \"checks\"}`; 503 with the same shape when not ready). `checks.knowledge` (`building`, `ready`) says whether the assistant's knowledge index is in place, without changing the status.", EVERYONE,
        query: &[], body: Body::None, ok: (200, Out::Object), also: &[]),
    route!("get" "/metrics", "operations", "Prometheus metrics.", EVERYONE,
        query: &[], body: Body::None, ok: (200, Out::Media("text/plain")), also: &[]),
    route!("get" "/api/openapi.json", "operations", "This document.", EVERYONE,
        query: &[], body: Body::None, ok: (200, Out::Media("application/json")), also: &[]),
    route!("get" "/api/docs", "operations", "The browsable reference (Swagger UI).", EVERYONE,
        query: &[], body: Body::None, ok: (200, Out::Media("text/html")), also: &[]),
    // Authentication.
    route!("post" "/api/v1/auth/login", "auth", "Sign in with e-mail and password.", EVERYONE,
        query: &[], body: Body::Json("LoginRequest"), ok: (200, Out::Json("LoginResponse")), also: &[401, 429]),
    route!("post" "/api/v1/auth/refresh", "auth", "Trade a refresh token for a new pair (rotation).", EVERYONE,
        query: &[], body: Body::Json("RefreshRequest"), ok: (200, Out::Json("TokenPair")), also: &[401]),
    route!("post" "/api/v1/auth/logout", "auth", "Revoke a refresh token's family.", EVERYONE,
        query: &[], body: Body::Json("RefreshRequest"), ok: (204, Out::Empty), also: &[]),
    route!("get" "/api/v1/me", "auth", "The signed-in staff member.", STAFF,
        query: &[], body: Body::None, ok: (200, Out::Json("User")), also: &[]),
    route!("post" "/api/v1/me/password", "auth", "Change one's own password (other sessions are signed out).", STAFF,
        query: &[], body: Body::Json("ChangePassword"), ok: (204, Out::Empty), also: &[]),
    route!("post" "/api/v1/me/logout-everywhere", "auth", "Sign out everywhere: revokes every refresh token of the caller and closes their open sockets on every node (close code 4004).", STAFF,
        query: &[], body: Body::None, ok: (204, Out::Empty), also: &[]),
    // Users.
    route!("get" "/api/v1/staff", "users", "The staff directory: active colleagues with presence and load (e-mail for admins only).", STAFF,
        query: &[], body: Body::None, ok: (200, Out::Items("StaffMember")), also: &[]),
    route!("get" "/api/v1/users", "users", "List staff accounts.", ADMINS,
        query: &[("after", "`next_after` of the previous page."), PAGING], body: Body::None,
        ok: (200, Out::Page("User", "next_after")), also: &[400]),
    route!("post" "/api/v1/users", "users", "Create a staff account.", ADMINS,
        query: &[], body: Body::Json("CreateUser"), ok: (201, Out::Json("User")), also: &[409]),
    route!("get" "/api/v1/users/{id}", "users", "One staff account.", ADMINS,
        query: &[], body: Body::None, ok: (200, Out::Json("User")), also: &[]),
    route!("patch" "/api/v1/users/{id}", "users", "Change name, role or active flag (deactivation or a role change signs them out everywhere at once).", ADMINS,
        query: &[], body: Body::Json("UpdateUser"), ok: (200, Out::Json("User")), also: &[409]),
    route!("post" "/api/v1/users/{id}/logout-everywhere", "users", "Sign a user out everywhere: revokes their refresh tokens and closes their open sockets on every node (close code 4004).", ADMINS,
        query: &[], body: Body::None, ok: (204, Out::Empty), also: &[]),
    route!("post" "/api/v1/users/{id}/password", "users", "Set a user's password (their sessions are signed out).", ADMINS,
        query: &[], body: Body::Json("ResetPassword"), ok: (204, Out::Empty), also: &[]),
    // Audit.
    route!("get" "/api/v1/audit", "audit", "The audit log, newest first.", ADMINS,
        query: &[("actor_id", "Only this actor's entries."), ("action", "Only this action."),
                 ("target", "Only entries about this target."), ("from", "At or after (RFC 3339)."),
                 ("to", "Before (RFC 3339)."), ("before", "`next_before` of the previous page."), PAGING],
        body: Body::None, ok: (200, Out::Json("AuditPage")), also: &[400]),
    // Conversations.
    route!("get" "/api/v1/conversations", "conversations", "List conversations (agents: the assistant's, the queue and their own).", STAFF,
        query: &[("state", "`bot`, `queued`, `human` or `closed`."), ("assignee", "`me` or a user id."),
                 ("label", "Only with this label."), ("customer_id", "Only this customer's."),
                 ("from", "Created at or after (RFC 3339)."), ("to", "Created before (RFC 3339)."),
                 ("q", "Only those with a message or note containing this text (1–200 characters, not blank)."),
                 ("snoozed", "`true`: only snoozed ones; `false`: hide them."),
                 ("cursor", "`next_cursor` of the previous page."), PAGING],
        body: Body::None, ok: (200, Out::Page("Conversation", "next_cursor")), also: &[400]),
    route!("get" "/api/v1/inbox/summaries", "conversations", "The caller's inbox view of conversations: unread count (from their read position), last message, waiting time, customer name.", STAFF,
        query: &[("ids", "Conversation ids, comma-separated (at most 200); those the caller may not see are left out.")], body: Body::None,
        ok: (200, Out::Items("ConversationSummary")), also: &[400]),
    route!("put" "/api/v1/conversations/{id}/read", "conversations", "Move the caller's read position forward (never back).", STAFF,
        query: &[], body: Body::Json("ReadBody"), ok: (204, Out::Empty), also: &[400, 404]),
    route!("get" "/api/v1/conversations/{id}", "conversations", "One conversation.", STAFF,
        query: &[], body: Body::None, ok: (200, Out::Json("Conversation")), also: &[]),
    route!("get" "/api/v1/conversations/{id}/messages", "conversations", "Messages by sequence (notes included).", STAFF,
        query: &[("after_seq", "Messages after this sequence, oldest first."),
                 ("before_seq", "The page just before this sequence."), PAGING],
        body: Body::None, ok: (200, Out::Items("Message")), also: &[400]),
    route!("post" "/api/v1/conversations/{id}/notes", "conversations", "Add a private note (never shown to the customer).", STAFF,
        query: &[], body: Body::Json("NoteBody"), ok: (201, Out::Json("Message")), also: &[403, 409]),
    route!("post" "/api/v1/conversations/{id}/attachments", "conversations", "Send a file: a `multipart/form-data` body with a `file` field (and optionally `client_msg_id`), posted as a message of kind `attachment` (customers: their own conversations; staff: where they may reply). PNG, JPEG, GIF, WebP, PDF or plain text by content; at most `CHAT_UPLOAD_MAX_BYTES`; 200 with the first copy for a resend.", &[Who::Customer, Who::Agent, Who::Supervisor, Who::Admin],
        query: &[], body: Body::None, ok: (201, Out::Json("Message")), also: &[200, 403, 409, 413, 415]),
    route!("get" "/api/v1/attachments/{id}", "conversations", "Download a file, for whoever may see its conversation (404 otherwise): images inline, anything else with `Content-Disposition: attachment`; always `nosniff`.", &[Who::Customer, Who::Agent, Who::Supervisor, Who::Admin],
        query: &[], body: Body::None, ok: (200, Out::Media("application/octet-stream")), also: &[]),
    route!("put" "/api/v1/conversations/{id}/labels", "conversations", "Replace the labels.", STAFF,
        query: &[], body: Body::Json("LabelsBody"), ok: (200, Out::Json("Conversation")), also: &[]),
    route!("post" "/api/v1/conversations/{id}/snooze", "conversations", "Snooze until a time or the customer's next message.", STAFF,
        query: &[], body: Body::Json("SnoozeBody"), ok: (200, Out::Json("Conversation")), also: &[403, 409]),
    route!("delete" "/api/v1/conversations/{id}/snooze", "conversations", "Wake a snoozed conversation.", STAFF,
        query: &[], body: Body::None, ok: (200, Out::Json("Conversation")), also: &[403, 409]),
    route!("post" "/api/v1/conversations/{id}/accept", "conversations", "Accept a queued conversation.", STAFF,
        query: &[], body: Body::None, ok: (200, Out::Json("Conversation")), also: &[403, 409]),
    route!("post" "/api/v1/conversations/{id}/takeover", "conversations", "Take over from the assistant.", STAFF,
        query: &[], body: Body::None, ok: (200, Out::Json("Conversation")), also: &[403, 409]),
    route!("post" "/api/v1/conversations/{id}/hand-back", "conversations", "Hand back to the assistant.", STAFF,
        query: &[], body: Body::None, ok: (200, Out::Json("Conversation")), also: &[403, 409]),
    route!("post" "/api/v1/conversations/{id}/close", "conversations", "Close.", STAFF,
        query: &[], body: Body::None, ok: (200, Out::Json("Conversation")), also: &[403, 409]),
    route!("post" "/api/v1/conversations/{id}/reopen", "conversations", "Reopen a closed conversation and take it.", STAFF,
        query: &[], body: Body::None, ok: (200, Out::Json("Conversation")), also: &[403, 409]),
    route!("post" "/api/v1/conversations/{id}/assign", "conversations", "Assign to an agent.", SUPERVISORS,
        query: &[], body: Body::Json("ActBody"), ok: (200, Out::Json("Conversation")), also: &[403, 409]),
    route!("post" "/api/v1/conversations/{id}/transfer", "conversations", "Transfer to another agent.", STAFF,
        query: &[], body: Body::Json("ActBody"), ok: (200, Out::Json("Conversation")), also: &[403, 409]),
    // Customers.
    route!("get" "/api/v1/customers", "customers", "Search and list customers (agents: those of the conversations they see).", STAFF,
        query: &[("q", "An exact e-mail or phone number, part of the name, or an exact external id."),
                 ("after", "`next_after` of the previous page."), PAGING],
        body: Body::None, ok: (200, Out::Page("Customer", "next_after")), also: &[400]),
    route!("post" "/api/v1/customers/reencrypt", "customers", "Re-encrypt contact details under the first data key (key rotation).", ADMINS,
        query: &[], body: Body::None, ok: (200, Out::Json("ReencryptReport")), also: &[]),
    route!("get" "/api/v1/customers/{id}", "customers", "A customer and their newest conversations.", STAFF,
        query: &[], body: Body::None, ok: (200, Out::Json("CustomerDetail")), also: &[]),
    route!("patch" "/api/v1/customers/{id}", "customers", "Change name, e-mail, phone, tags, notes (only the fields sent).", STAFF,
        query: &[], body: Body::Json("UpdateCustomer"), ok: (200, Out::Json("Customer")), also: &[409]),
    route!("get" "/api/v1/customers/{id}/conversations", "customers", "A customer's conversations, newest first.", STAFF,
        query: &[("before", "`next_before` of the previous page."), PAGING],
        body: Body::None, ok: (200, Out::Json("CustomerConversationPage")), also: &[400]),
    route!("get" "/api/v1/customers/{id}/export", "customers", "Everything stored about a customer (audited).", SUPERVISORS,
        query: &[], body: Body::None, ok: (200, Out::Json("CustomerExport")), also: &[]),
    route!("post" "/api/v1/customers/{id}/erase", "customers", "Erase a customer's personal data; statistics stay (audited).", ADMINS,
        query: &[], body: Body::None, ok: (200, Out::Json("Customer")), also: &[409]),
    // Knowledge base.
    route!("get" "/api/v1/knowledge", "knowledge", "List knowledge-base documents.", SUPERVISORS,
        query: &[("after", "`next_after` of the previous page."), PAGING],
        body: Body::None, ok: (200, Out::Page("KnowledgeDoc", "next_after")), also: &[400]),
    route!("post" "/api/v1/knowledge", "knowledge", "Create a document.", SUPERVISORS,
        query: &[], body: Body::Json("DocInput"), ok: (201, Out::Json("KnowledgeDoc")), also: &[]),
    route!("post" "/api/v1/knowledge/import", "knowledge", "Import JSON, CSV or Markdown question/answer pairs.", SUPERVISORS,
        query: &[], body: Body::Json("ImportInput"), ok: (201, Out::Json("ImportResult")), also: &[]),
    route!("get" "/api/v1/knowledge/search", "knowledge", "Try a question: the passages the assistant retrieves, and whether it would answer.", SUPERVISORS,
        query: &[("q", "The question (1–500 characters)."), ("k", "How many passages (1–20, default 5).")],
        body: Body::None, ok: (200, Out::Json("SearchResult")), also: &[400]),
    route!("post" "/api/v1/knowledge/reindex", "knowledge", "Rebuild this node's index now.", SUPERVISORS,
        query: &[], body: Body::None, ok: (200, Out::Json("ReindexResult")), also: &[]),
    route!("get" "/api/v1/knowledge/{id}", "knowledge", "One document.", SUPERVISORS,
        query: &[], body: Body::None, ok: (200, Out::Json("KnowledgeDoc")), also: &[]),
    route!("put" "/api/v1/knowledge/{id}", "knowledge", "Replace a document (enable, disable).", SUPERVISORS,
        query: &[], body: Body::Json("DocInput"), ok: (200, Out::Json("KnowledgeDoc")), also: &[]),
    route!("delete" "/api/v1/knowledge/{id}", "knowledge", "Delete a document.", SUPERVISORS,
        query: &[], body: Body::None, ok: (204, Out::Empty), also: &[]),
    // Canned responses.
    route!("get" "/api/v1/canned", "canned", "Shared and one's own canned responses.", STAFF,
        query: &[], body: Body::None, ok: (200, Out::Json("CannedList")), also: &[]),
    route!("post" "/api/v1/canned", "canned", "Create one (shared: supervisors).", STAFF,
        query: &[], body: Body::Json("CannedInput"), ok: (201, Out::Json("CannedResponse")), also: &[403, 409]),
    route!("put" "/api/v1/canned/{id}", "canned", "Replace one's own (a shared one: supervisors).", STAFF,
        query: &[], body: Body::Json("CannedReplace"), ok: (200, Out::Json("CannedResponse")), also: &[403, 409]),
    route!("delete" "/api/v1/canned/{id}", "canned", "Delete one's own (a shared one: supervisors).", STAFF,
        query: &[], body: Body::None, ok: (204, Out::Empty), also: &[403]),
    // Statistics.
    route!("get" "/api/v1/stats", "statistics", "Statistics over a window, per day and per agent.", SUPERVISORS,
        query: &[("from", "Window start (RFC 3339; default 6 days before today)."),
                 ("to", "Window end, exclusive (RFC 3339; default tomorrow 00:00 UTC).")],
        body: Body::None, ok: (200, Out::Json("Report")), also: &[400]),
    route!("get" "/api/v1/stats.csv", "statistics", "The same as CSV, per day or per agent.", SUPERVISORS,
        query: &[("from", "Window start (RFC 3339)."), ("to", "Window end, exclusive (RFC 3339)."),
                 ("by", "`day` (default) or `agent`.")],
        body: Body::None, ok: (200, Out::Media("text/csv")), also: &[400]),
    // Availability.
    route!("get" "/api/v1/business-hours", "availability", "The business hours: weekly opening spans in a time zone, and holidays.", STAFF,
        query: &[], body: Body::None, ok: (200, Out::Json("BusinessHours")), also: &[]),
    route!("put" "/api/v1/business-hours", "availability", "Replace the business hours (audited).", ADMINS,
        query: &[], body: Body::Json("BusinessHoursInput"), ok: (200, Out::Json("BusinessHours")), also: &[]),
    // Webhooks.
    route!("get" "/api/v1/webhooks", "webhooks", "List webhooks (never their secrets).", ADMINS,
        query: &[("after", "`next_after` of the previous page."), PAGING], body: Body::None,
        ok: (200, Out::Page("Webhook", "next_after")), also: &[400]),
    route!("post" "/api/v1/webhooks", "webhooks", "Subscribe a URL to events; the answer shows the signing secret, once.", ADMINS,
        query: &[], body: Body::Json("CreateWebhook"), ok: (201, Out::Json("WebhookWithSecret")), also: &[]),
    route!("get" "/api/v1/webhooks/{id}", "webhooks", "One webhook.", ADMINS,
        query: &[], body: Body::None, ok: (200, Out::Json("Webhook")), also: &[]),
    route!("patch" "/api/v1/webhooks/{id}", "webhooks", "Change URL, events or enabled (enabling clears the failure count).", ADMINS,
        query: &[], body: Body::Json("UpdateWebhook"), ok: (200, Out::Json("Webhook")), also: &[]),
    route!("delete" "/api/v1/webhooks/{id}", "webhooks", "Delete a webhook and its delivery log.", ADMINS,
        query: &[], body: Body::None, ok: (204, Out::Empty), also: &[]),
    route!("post" "/api/v1/webhooks/{id}/rotate-secret", "webhooks", "Replace the signing secret; the answer shows the new one, once.", ADMINS,
        query: &[("keep_previous_secs", "How long the old secret keeps signing too: 0 (default, at once) to 604800.")],
        body: Body::None, ok: (200, Out::Json("WebhookWithSecret")), also: &[]),
    route!("post" "/api/v1/webhooks/{id}/ping", "webhooks", "Queue a `ping` delivery.", ADMINS,
        query: &[], body: Body::None, ok: (202, Out::Json("WebhookDelivery")), also: &[409]),
    route!("get" "/api/v1/webhooks/{id}/deliveries", "webhooks", "The delivery log, newest first.", ADMINS,
        query: &[("status", "`pending`, `delivered` or `failed`."), ("before", "`next_before` of the previous page."), PAGING],
        body: Body::None, ok: (200, Out::Json("WebhookDeliveryPage")), also: &[]),
    route!("get" "/api/v1/webhooks/{id}/deliveries/{delivery_id}", "webhooks", "One delivery.", ADMINS,
        query: &[], body: Body::None, ok: (200, Out::Json("WebhookDelivery")), also: &[]),
    route!("post" "/api/v1/webhooks/{id}/deliveries/{delivery_id}/retry", "webhooks", "Queue a delivered or failed delivery again, with a fresh attempt budget.", ADMINS,
        query: &[], body: Body::None, ok: (202, Out::Json("WebhookDelivery")), also: &[409]),
    // Settings.
    route!("get" "/api/v1/settings/prechat", "settings", "The pre-chat form: name, e-mail, phone and a custom question, each `off`, `optional` or `required`.", ADMINS,
        query: &[], body: Body::None, ok: (200, Out::Json("PrechatForm")), also: &[]),
    route!("put" "/api/v1/settings/prechat", "settings", "Replace the pre-chat form (audited); a custom question needs its `custom_label`.", ADMINS,
        query: &[], body: Body::Json("PrechatForm"), ok: (200, Out::Json("PrechatForm")), also: &[]),
    // Widget (customers).
    route!("post" "/api/v1/widget/sessions", "widget", "Start or resume a visitor session: a customer token.", EVERYONE,
        query: &[], body: Body::OptionalJson("WidgetSessionRequest"), ok: (200, Out::Json("WidgetSession")), also: &[401]),
    route!("get" "/api/v1/widget/conversations", "widget", "The customer's conversations.", CUSTOMERS,
        query: &[], body: Body::None, ok: (200, Out::Items("Conversation")), also: &[]),
    route!("get" "/api/v1/widget/conversations/{id}/messages", "widget", "A conversation's messages (no private notes).", CUSTOMERS,
        query: &[("after_seq", "Messages after this sequence."), PAGING],
        body: Body::None, ok: (200, Out::Items("Message")), also: &[400]),
    route!("get" "/api/v1/widget/availability", "widget", "Whether a person can answer now (business hours and agents online), the reply estimate, and the next opening while away.", EVERYONE,
        query: &[], body: Body::None, ok: (200, Out::Json("AvailabilityStatus")), also: &[]),
    route!("post" "/api/v1/widget/conversations/{id}/leave-message", "widget", "Leave a message and an e-mail address while support is away: the address is kept on the customer, the conversation queued for the next shift (never closed as idle while it waits), and an away notice posted.", CUSTOMERS,
        query: &[], body: Body::Json("LeaveMessage"), ok: (200, Out::Json("Conversation")), also: &[409]),
    route!("get" "/api/v1/widget/prechat", "widget", "The pre-chat form, whether this customer submitted it, and the first required field they have not given.", CUSTOMERS,
        query: &[], body: Body::None, ok: (200, Out::Json("WidgetPrechat")), also: &[]),
    route!("post" "/api/v1/widget/prechat", "widget", "Submit the pre-chat form: checked against it (a field not asked, a required one missing, a bad e-mail or phone: 400 naming the field) and stored on the customer. Until the required fields are given, `open` on the socket is refused.", CUSTOMERS,
        query: &[], body: Body::Json("PrechatAnswers"), ok: (200, Out::Json("WidgetPrechat")), also: &[409]),
    route!("post" "/api/v1/widget/conversations/{id}/rating", "widget", "Rate a closed conversation (1–5), once.", CUSTOMERS,
        query: &[], body: Body::Json("WidgetRating"), ok: (200, Out::Json("Conversation")), also: &[409]),
];

/// The methods the API serves on a request path (or a route pattern, e.g.
/// `/api/v1/users/{id}`), for the `Allow` header of a 405: upper case,
/// comma-separated; `None` for a path that is not in [`ROUTES`].
pub fn allowed_methods(path: &str) -> Option<String> {
    let fits = |route: &str| {
        let (mut a, mut b) = (route.split('/'), path.split('/'));
        loop {
            match (a.next(), b.next()) {
                (None, None) => return true,
                (Some(r), Some(p)) if r == p || (r.starts_with('{') && !p.is_empty()) => {}
                _ => return false,
            }
        }
    };
    // A literal path (`/customers/reencrypt`) is its own resource, not an
    // id of the parameterised one beside it.
    let exact = ROUTES.iter().any(|r| r.path == path);
    let methods: Vec<String> = ROUTES
        .iter()
        .filter(|r| if exact { r.path == path } else { fits(r.path) })
        .map(|r| r.method.to_ascii_uppercase())
        .collect();
    (!methods.is_empty()).then(|| methods.join(", "))
}
