/// Implements `InstallationRegistry` for a type with `conn()` and `bounded()` methods, next to a
/// `schema` module declaring `installations`. A macro rather than generics: the backends' tables
/// differ in timestamp SQL types, so their query types are unrelated, yet the query code is the same.
macro_rules! impl_registry {
    ($registry:ty) => {
        #[async_trait::async_trait]
        impl stj_core::InstallationRegistry for $registry {
            async fn upsert(
                &self,
                new: stj_core::NewInstallation,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<stj_core::Installation, stj_core::RegistryError> {
                use diesel::ExpressionMethods;
                use diesel::upsert::excluded;
                use diesel_async::RunQueryDsl;
                use schema::installations as t;

                let secret = &new.sealed_secret;
                let row: crate::row::Row = self
                    .bounded(async {
                        let mut conn = self.conn().await?;
                        diesel::insert_into(t::table)
                            .values((
                                t::client_key.eq(new.client_key.as_str()),
                                t::base_url.eq(new.base_url.as_str()),
                                t::display_url.eq(new.display_url.as_ref().map(|u| u.as_str())),
                                t::secret_key_id.eq(secret.key_id.as_str()),
                                t::secret_nonce.eq(secret.nonce.as_slice()),
                                t::secret_ciphertext.eq(secret.ciphertext.as_slice()),
                                t::enabled.eq(new.enabled),
                                t::created_at.eq(now),
                                t::updated_at.eq(now),
                                t::oauth_client_id.eq(new.oauth_client_id.as_deref()),
                            ))
                            .on_conflict(t::client_key)
                            .do_update()
                            .set((
                                t::base_url.eq(excluded(t::base_url)),
                                t::display_url.eq(excluded(t::display_url)),
                                t::secret_key_id.eq(excluded(t::secret_key_id)),
                                t::secret_nonce.eq(excluded(t::secret_nonce)),
                                t::secret_ciphertext.eq(excluded(t::secret_ciphertext)),
                                t::enabled.eq(excluded(t::enabled)),
                                t::updated_at.eq(excluded(t::updated_at)),
                                t::oauth_client_id.eq(excluded(t::oauth_client_id)),
                            ))
                            .get_result(&mut *conn)
                            .await
                            .map_err(crate::row::query_error)
                    })
                    .await?;
                row.into_installation()
            }

            async fn find(
                &self,
                client_key: &stj_core::ClientKey,
            ) -> Result<Option<stj_core::Installation>, stj_core::RegistryError> {
                use diesel::{OptionalExtension, QueryDsl};
                use diesel_async::RunQueryDsl;
                use schema::installations as t;

                let row: Option<crate::row::Row> = self
                    .bounded(async {
                        let mut conn = self.conn().await?;
                        t::table
                            .find(client_key.as_str())
                            .first(&mut *conn)
                            .await
                            .optional()
                            .map_err(crate::row::query_error)
                    })
                    .await?;
                row.map(crate::row::Row::into_installation).transpose()
            }

            async fn set_enabled(
                &self,
                client_key: &stj_core::ClientKey,
                enabled: bool,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, stj_core::RegistryError> {
                use diesel::{ExpressionMethods, QueryDsl};
                use diesel_async::RunQueryDsl;
                use schema::installations as t;

                self.bounded(async {
                    let mut conn = self.conn().await?;
                    let updated = diesel::update(t::table.find(client_key.as_str()))
                        .set((t::enabled.eq(enabled), t::updated_at.eq(now)))
                        .execute(&mut *conn)
                        .await
                        .map_err(crate::row::query_error)?;
                    Ok(updated > 0)
                })
                .await
            }

            async fn delete(
                &self,
                client_key: &stj_core::ClientKey,
            ) -> Result<bool, stj_core::RegistryError> {
                use diesel::QueryDsl;
                use diesel_async::RunQueryDsl;
                use schema::installations as t;

                self.bounded(async {
                    use diesel::ExpressionMethods;
                    use schema::forge_links as links;

                    let mut conn = self.conn().await?;
                    // The Forge link goes with the install (first: a crash in between leaves no
                    // link to a missing install).
                    diesel::delete(links::table.filter(links::client_key.eq(client_key.as_str())))
                        .execute(&mut *conn)
                        .await
                        .map_err(crate::row::query_error)?;
                    let deleted = diesel::delete(t::table.find(client_key.as_str()))
                        .execute(&mut *conn)
                        .await
                        .map_err(crate::row::query_error)?;
                    Ok(deleted > 0)
                })
                .await
            }

            async fn ping(&self) -> Result<(), stj_core::RegistryError> {
                use diesel_async::RunQueryDsl;

                self.bounded(async {
                    let mut conn = self.conn().await?;
                    // A constant round trip; there is nothing to build.
                    diesel::sql_query("SELECT 1")
                        .execute(&mut *conn)
                        .await
                        .map_err(crate::row::query_error)?;
                    Ok(())
                })
                .await
            }
        }
    };
}

pub(crate) use impl_registry;
