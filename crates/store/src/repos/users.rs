use async_trait::async_trait;
use chat_domain::ids::UserId;
use chat_domain::model::User;
use chat_domain::ports::UserRepository;
use chat_domain::{DomainError, DomainResult};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::by_key;
use crate::SqlStore;
use crate::db::with_conn;
use crate::error::db_err;
use crate::rows::UserRow;
use crate::schema::users;

#[async_trait]
impl UserRepository for SqlStore {
    async fn create_user(&self, user: &User) -> DomainResult<()> {
        let row = UserRow::from(user);
        with_conn!(self, |conn| {
            diesel::insert_into(users::table)
                .values(&row)
                .execute(conn)
                .await
                .map_err(|e| match db_err(e) {
                    DomainError::Conflict(_) => {
                        DomainError::Conflict("a user with this email already exists".into())
                    }
                    other => other,
                })?;
        });
        Ok(())
    }

    async fn user_by_id(&self, id: UserId) -> DomainResult<Option<User>> {
        let id = id.to_string();
        let row: Option<UserRow> = with_conn!(self, |conn| {
            by_key(
                users::table
                    .find(&id)
                    .select(UserRow::as_select())
                    .load(conn)
                    .await,
            )?
        });
        row.map(User::try_from).transpose()
    }

    async fn user_by_email(&self, email: &str) -> DomainResult<Option<User>> {
        let email = email.to_owned();
        let row: Option<UserRow> = with_conn!(self, |conn| {
            by_key(
                users::table
                    .filter(users::email.eq(email))
                    .select(UserRow::as_select())
                    .load(conn)
                    .await,
            )?
        });
        row.map(User::try_from).transpose()
    }

    async fn count_users(&self) -> DomainResult<u64> {
        let n: i64 = with_conn!(self, |conn| {
            users::table
                .count()
                .get_result(conn)
                .await
                .map_err(db_err)?
        });
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn update_user(&self, user: &User) -> DomainResult<()> {
        let row = UserRow::from(user);
        let n = with_conn!(self, |conn| {
            diesel::update(users::table.find(&row.id))
                .set((
                    users::display_name.eq(&row.display_name),
                    users::role.eq(&row.role),
                    users::active.eq(row.active),
                    users::password_hash.eq(&row.password_hash),
                    users::updated_at.eq(row.updated_at),
                ))
                .execute(conn)
                .await
                .map_err(db_err)?
        });
        if n == 0 {
            return Err(DomainError::NotFound("user"));
        }
        Ok(())
    }

    async fn list_users(&self, after: Option<UserId>, limit: u32) -> DomainResult<Vec<User>> {
        // UUIDv7 text sorts by creation time: the id is the cursor.
        let after = after.map(|id| id.to_string()).unwrap_or_default();
        let rows: Vec<UserRow> = with_conn!(self, |conn| {
            users::table
                .filter(users::id.gt(&after))
                .order(users::id.asc())
                .limit(super::page(limit))
                .select(UserRow::as_select())
                .load(conn)
                .await
                .map_err(db_err)?
        });
        crate::rows::convert(rows)
    }
}
