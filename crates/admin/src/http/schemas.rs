//! The component schemas of request and response bodies, collected from
//! the very types the handlers (de)serialise (`utoipa::ToSchema` derives).
//! A leaf: the route modules register their bodies here, and the OpenAPI
//! document reads the collection.

use utoipa::ToSchema;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{Ref, RefOr};

/// Collects component schemas.
#[derive(Default)]
pub(crate) struct Schemas(Vec<(String, RefOr<Schema>)>);

impl Schemas {
    /// Adds `T` and the schemas it refers to.
    pub(crate) fn add<T: ToSchema>(&mut self) {
        self.0.push((T::name().into_owned(), T::schema()));
        T::schemas(&mut self.0);
    }
}

pub(crate) fn reference(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

impl Schemas {
    /// The collected schemas, by name.
    pub(crate) fn into_inner(self) -> Vec<(String, RefOr<Schema>)> {
        self.0
    }
}
