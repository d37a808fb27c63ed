use async_trait::async_trait;
use chat_domain::DomainResult;
use chat_domain::ids::UserId;
use chat_domain::model::User;
use chat_domain::ports::UserRepository;
use diesel::prelude::*;

use super::{affected, columns, conflict_as};
use crate::SqlStore;
use crate::rows::UserRow;
use crate::schema::users;

#[async_trait]
impl UserRepository for SqlStore {
    async fn create_user(&self, user: &User) -> DomainResult<()> {
        let row = UserRow::from(user);
        self.execute(diesel::insert_into(users::table).values(row))
            .await
            .map_err(conflict_as("a user with this email already exists"))?;
        Ok(())
    }

    async fn user_by_id(&self, id: UserId) -> DomainResult<Option<User>> {
        let row: Option<UserRow> = self
            .find(
                users::table
                    .find(id.to_string())
                    .select(columns::<UserRow>()),
            )
            .await?;
        row.map(User::try_from).transpose()
    }

    async fn user_by_email(&self, email: &str) -> DomainResult<Option<User>> {
        let row: Option<UserRow> = self
            .find(
                users::table
                    .filter(users::email.eq(email.to_owned()))
                    .select(columns::<UserRow>()),
            )
            .await?;
        row.map(User::try_from).transpose()
    }

    async fn count_users(&self) -> DomainResult<u64> {
        self.count(users::table.count()).await
    }

    async fn update_user(&self, user: &User) -> DomainResult<()> {
        let row = UserRow::from(user);
        let n = self
            .execute(diesel::update(users::table.find(row.id)).set((
                users::display_name.eq(row.display_name),
                users::role.eq(row.role),
                users::active.eq(row.active),
                users::password_hash.eq(row.password_hash),
                users::updated_at.eq(row.updated_at),
            )))
            .await?;
        affected(n, "user")
    }

    async fn list_users(&self, after: Option<UserId>, limit: u32) -> DomainResult<Vec<User>> {
        // UUIDv7 text sorts by creation time: the id is the cursor.
        let after = after.map(|id| id.to_string()).unwrap_or_default();
        let rows: Vec<UserRow> = self
            .load(
                users::table
                    .filter(users::id.gt(after))
                    .order(users::id.asc())
                    .limit(super::page(limit))
                    .select(columns::<UserRow>()),
            )
            .await?;
        crate::rows::convert(rows)
    }
}
