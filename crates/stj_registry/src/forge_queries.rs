/// Implements `ForgeRegistry` for a type with `conn()` and `bounded()` methods, next to a `schema`
/// module declaring `forge_installations` and `forge_links` (a macro for the reason given in
/// `queries.rs`: the backends' timestamp SQL types differ).
macro_rules! impl_forge_registry {
    ($registry:ty) => {
        #[async_trait::async_trait]
        impl stj_core::ForgeRegistry for $registry {
            async fn upsert_forge(
                &self,
                new: stj_core::NewForgeInstallation,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<stj_core::ForgeInstallation, stj_core::RegistryError> {
                use diesel::ExpressionMethods;
                use diesel::upsert::excluded;
                use diesel_async::RunQueryDsl;
                use schema::forge_installations as t;

                let row: crate::row::ForgeRow = self
                    .bounded(async {
                        let mut conn = self.conn().await?;
                        diesel::insert_into(t::table)
                            .values((
                                t::installation_id.eq(new.installation_id.as_str()),
                                t::cloud_id.eq(new.cloud_id.as_str()),
                                t::api_base_url.eq(new.api_base_url.as_str()),
                                t::enabled.eq(true),
                                t::created_at.eq(now),
                                t::updated_at.eq(now),
                            ))
                            .on_conflict(t::installation_id)
                            .do_update()
                            .set((
                                t::cloud_id.eq(excluded(t::cloud_id)),
                                t::api_base_url.eq(excluded(t::api_base_url)),
                                t::enabled.eq(excluded(t::enabled)),
                                t::updated_at.eq(excluded(t::updated_at)),
                            ))
                            .get_result(&mut *conn)
                            .await
                            .map_err(crate::row::query_error)
                    })
                    .await?;
                row.into_installation()
            }

            async fn find_forge(
                &self,
                id: &stj_core::ForgeInstallationId,
            ) -> Result<Option<stj_core::ForgeInstallation>, stj_core::RegistryError> {
                use diesel::{OptionalExtension, QueryDsl};
                use diesel_async::RunQueryDsl;
                use schema::forge_installations as t;

                let row: Option<crate::row::ForgeRow> = self
                    .bounded(async {
                        let mut conn = self.conn().await?;
                        t::table
                            .find(id.as_str())
                            .first(&mut *conn)
                            .await
                            .optional()
                            .map_err(crate::row::query_error)
                    })
                    .await?;
                row.map(crate::row::ForgeRow::into_installation).transpose()
            }

            async fn delete_forge(
                &self,
                id: &stj_core::ForgeInstallationId,
            ) -> Result<bool, stj_core::RegistryError> {
                use diesel::QueryDsl;
                use diesel_async::RunQueryDsl;
                use schema::forge_installations as t;

                self.bounded(async {
                    let mut conn = self.conn().await?;
                    let deleted = diesel::delete(t::table.find(id.as_str()))
                        .execute(&mut *conn)
                        .await
                        .map_err(crate::row::query_error)?;
                    Ok(deleted > 0)
                })
                .await
            }

            async fn link_connect(
                &self,
                client_key: &stj_core::ClientKey,
                id: &stj_core::ForgeInstallationId,
            ) -> Result<(), stj_core::RegistryError> {
                use diesel::upsert::excluded;
                use diesel::{BoolExpressionMethods, ExpressionMethods, QueryDsl};
                use diesel_async::RunQueryDsl;
                use schema::forge_links as t;

                self.bounded(async {
                    let mut conn = self.conn().await?;
                    // The install's earlier link to another installation goes first (client_key
                    // is unique); then this installation points at this install.
                    diesel::delete(
                        t::table.filter(
                            t::client_key
                                .eq(client_key.as_str())
                                .and(t::installation_id.ne(id.as_str())),
                        ),
                    )
                    .execute(&mut *conn)
                    .await
                    .map_err(crate::row::query_error)?;
                    diesel::insert_into(t::table)
                        .values((
                            t::installation_id.eq(id.as_str()),
                            t::client_key.eq(client_key.as_str()),
                            t::created_at.eq(chrono::Utc::now()),
                        ))
                        .on_conflict(t::installation_id)
                        .do_update()
                        .set(t::client_key.eq(excluded(t::client_key)))
                        .execute(&mut *conn)
                        .await
                        .map_err(crate::row::query_error)?;
                    Ok(())
                })
                .await
            }

            async fn linked_client_key(
                &self,
                id: &stj_core::ForgeInstallationId,
            ) -> Result<Option<stj_core::ClientKey>, stj_core::RegistryError> {
                use diesel::{OptionalExtension, QueryDsl};
                use diesel_async::RunQueryDsl;
                use schema::forge_links as t;

                let key: Option<String> = self
                    .bounded(async {
                        let mut conn = self.conn().await?;
                        t::table
                            .find(id.as_str())
                            .select(t::client_key)
                            .first(&mut *conn)
                            .await
                            .optional()
                            .map_err(crate::row::query_error)
                    })
                    .await?;
                key.map(|k| {
                    stj_core::ClientKey::parse(&k)
                        .map_err(|e| stj_core::RegistryError::Corrupt(format!("client_key: {e}")))
                })
                .transpose()
            }
        }
    };
}

pub(crate) use impl_forge_registry;
