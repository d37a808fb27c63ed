//! Table definitions shared by both backends.
//!
//! Written by hand (not `diesel print-schema`) because one definition serves
//! SQLite and MySQL: only SQL types both support are used (`Text` for ids and
//! JSON, `Timestamp` for UTC times, `BigInt`, `Integer`, `Bool`).

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        family_id -> Text,
        user_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        replaced_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    customers (id) {
        id -> Text,
        external_id -> Nullable<Text>,
        name -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        email -> Nullable<Text>,
        email_hash -> Nullable<Text>,
        phone -> Nullable<Text>,
        phone_hash -> Nullable<Text>,
        tags -> Text,
        notes -> Nullable<Text>,
        erased_at -> Nullable<Timestamp>,
        prechat_question -> Nullable<Text>,
        prechat_answer -> Nullable<Text>,
        prechat_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    conversations (id) {
        id -> Text,
        customer_id -> Text,
        state -> Text,
        assignee_id -> Nullable<Text>,
        labels -> Text,
        last_seq -> BigInt,
        csat_score -> Nullable<Integer>,
        csat_comment -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        queued_at -> Nullable<Timestamp>,
        handed_off_at -> Nullable<Timestamp>,
        first_response_at -> Nullable<Timestamp>,
        snoozed_until -> Nullable<Timestamp>,
        first_responder_id -> Nullable<Text>,
    }
}

diesel::table! {
    messages (id) {
        id -> Text,
        conversation_id -> Text,
        seq -> BigInt,
        sender_kind -> Text,
        sender_id -> Nullable<Text>,
        kind -> Text,
        body -> Text,
        client_msg_id -> Nullable<Text>,
        created_at -> Timestamp,
        sender_name -> Nullable<Text>,
        attachment -> Nullable<Text>,
        event -> Nullable<Text>,
    }
}

diesel::table! {
    attachments (id) {
        id -> Text,
        conversation_id -> Text,
        customer_id -> Text,
        uploader_kind -> Text,
        uploader_id -> Nullable<Text>,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        storage_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    knowledge_docs (id) {
        id -> Text,
        title -> Text,
        body -> Text,
        tags -> Text,
        enabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        actor_id -> Nullable<Text>,
        action -> Text,
        target -> Nullable<Text>,
        ip -> Nullable<Text>,
        detail -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    canned_responses (id) {
        id -> Text,
        owner_key -> Text,
        shortcut -> Text,
        title -> Text,
        body -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        url -> Text,
        events -> Text,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_expires_at -> Nullable<Timestamp>,
        enabled -> Bool,
        consecutive_failures -> Integer,
        disabled_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        event -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        next_attempt_at -> Nullable<Timestamp>,
        lease_token -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    conversation_reads (user_id, conversation_id) {
        user_id -> Text,
        conversation_id -> Text,
        last_read_seq -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    customer_reads (conversation_id) {
        conversation_id -> Text,
        last_read_seq -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    prechat_fields (field) {
        field -> Text,
        mode -> Text,
        label -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    session_revocations (user_id) {
        user_id -> Text,
        not_before -> Timestamp,
    }
}

diesel::table! {
    business_hours (id) {
        id -> Integer,
        enabled -> Bool,
        time_zone -> Text,
        days -> Text,
        holidays -> Text,
        updated_at -> Timestamp,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    left_messages (conversation_id) {
        conversation_id -> Text,
        customer_id -> Text,
        left_at -> Timestamp,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(conversations -> customers (customer_id));
diesel::joinable!(messages -> conversations (conversation_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    refresh_tokens,
    session_revocations,
    customers,
    conversations,
    messages,
    knowledge_docs,
    audit_log,
    canned_responses,
    webhooks,
    webhook_deliveries,
    conversation_reads,
    customer_reads,
    prechat_fields,
    attachments,
    left_messages,
);
