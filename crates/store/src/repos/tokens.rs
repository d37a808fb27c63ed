use async_trait::async_trait;
use chat_domain::DomainResult;
use chat_domain::auth::RefreshToken;
use chat_domain::ids::{RefreshTokenId, TokenFamilyId, UserId};
use chat_domain::ports::RefreshTokenRepository;
use chat_domain::time::Timestamp;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::columns;
use crate::SqlStore;
use crate::db::with_tx;
use crate::rows::RefreshTokenRow;
use crate::schema::{refresh_tokens as rt, session_revocations as sr};

#[async_trait]
impl RefreshTokenRepository for SqlStore {
    async fn insert_refresh_token(&self, token: &RefreshToken) -> DomainResult<()> {
        let row = RefreshTokenRow::from(token);
        self.execute(diesel::insert_into(rt::table).values(row))
            .await?;
        Ok(())
    }

    async fn refresh_token_by_hash(&self, token_hash: &str) -> DomainResult<Option<RefreshToken>> {
        let row: Option<RefreshTokenRow> = self
            .find(
                rt::table
                    .filter(rt::token_hash.eq(token_hash.to_owned()))
                    .select(columns::<RefreshTokenRow>()),
            )
            .await?;
        row.map(RefreshToken::try_from).transpose()
    }

    async fn rotate_refresh_token(
        &self,
        old: RefreshTokenId,
        new: &RefreshToken,
        at: Timestamp,
    ) -> DomainResult<bool> {
        let old = old.to_string();
        let row = RefreshTokenRow::from(new);
        with_tx!(self, |tx| {
            // The conditional update is the race arbiter: of two concurrent
            // refreshes with one token, exactly one sees a live row.
            let retired = diesel::update(rt::table.find(&old).filter(rt::revoked_at.is_null()))
                .set((
                    rt::revoked_at.eq(Some(at)),
                    rt::replaced_by.eq(Some(&row.id)),
                ))
                .execute(tx)
                .await?;
            if retired != 1 {
                return Ok(false);
            }
            diesel::insert_into(rt::table)
                .values(&row)
                .execute(tx)
                .await?;
            Ok(true)
        })
    }

    async fn revoke_token_family(&self, family: TokenFamilyId, at: Timestamp) -> DomainResult<u64> {
        let n = self
            .execute(
                diesel::update(
                    rt::table
                        .filter(rt::family_id.eq(family.to_string()))
                        .filter(rt::revoked_at.is_null()),
                )
                .set(rt::revoked_at.eq(Some(at))),
            )
            .await?;
        Ok(n as u64)
    }

    async fn revoke_user_tokens(&self, user: UserId, at: Timestamp) -> DomainResult<u64> {
        let user = user.to_string();
        with_tx!(self, |tx| {
            let n = diesel::update(
                rt::table
                    .filter(rt::user_id.eq(&user))
                    .filter(rt::revoked_at.is_null()),
            )
            .set(rt::revoked_at.eq(Some(at)))
            .execute(tx)
            .await?;
            // The access tokens' cut-off only moves forward (of two
            // revocations racing, the later instant wins). The update runs
            // again after the insert in case a concurrent insert won it.
            let forward = || {
                diesel::update(
                    sr::table
                        .filter(sr::user_id.eq(&user))
                        .filter(sr::not_before.lt(at)),
                )
                .set(sr::not_before.eq(at))
            };
            if forward().execute(tx).await? == 0 {
                diesel::insert_or_ignore_into(sr::table)
                    .values((sr::user_id.eq(&user), sr::not_before.eq(at)))
                    .execute(tx)
                    .await?;
                forward().execute(tx).await?;
            }
            Ok(n as u64)
        })
    }

    async fn sessions_not_before(&self, user: UserId) -> DomainResult<Option<Timestamp>> {
        self.find(sr::table.find(user.to_string()).select(sr::not_before))
            .await
    }
}
