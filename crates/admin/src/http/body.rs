//! A JSON body read only when the handler asks for it.
//!
//! actix-web runs a handler's extractors concurrently and answers with the
//! first one that fails: a malformed body read from the socket fails before
//! the role check (which asks the database) has finished, so a caller
//! without the right could learn "400: missing field" instead of "403". With
//! [`Body`] the handler checks the caller first (its extractors) and then
//! reads the body: refusal by role always wins, the same every time.

use std::future::{Ready, ready};
use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, web};
use chat_domain::DomainError;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// A JSON request body, parsed (with the app's [`super::json_config`]
/// limits and error bodies) when [`Body::read`] is called.
pub struct Body<T> {
    req: HttpRequest,
    payload: Payload,
    _type: PhantomData<T>,
}

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        ready(Ok(Self {
            req: req.clone(),
            payload: payload.take(),
            _type: PhantomData,
        }))
    }
}

impl<T: DeserializeOwned + 'static> Body<T> {
    /// Reads and parses the body: 400, 413 or 415 with the one error body.
    ///
    /// Every body of this API is a JSON object. serde's derived structs also
    /// accept a JSON array (fields by position), so `[]` made a struct whose
    /// fields all have defaults (the pre-chat form) — a schema-violating
    /// request answered 200. The top level is checked first.
    pub async fn read(mut self) -> Result<T, ApiError> {
        let value = web::Json::<serde_json::Value>::from_request(&self.req, &mut self.payload)
            .await
            .map(web::Json::into_inner)
            .map_err(ApiError::from)?;
        let invalid = |message: String| {
            ApiError::with_status(
                StatusCode::BAD_REQUEST,
                DomainError::invalid("body", message),
            )
        };
        if !value.is_object() {
            return Err(invalid("must be a JSON object".to_owned()));
        }
        serde_json::from_value(value).map_err(|e| invalid(format!("invalid JSON: {e}")))
    }
}
