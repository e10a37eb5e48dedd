//! Every registry query, once for both backends: `impl_registry!` implements `InstallationRegistry`
//! and `ForgeRegistry` for a type with `conn()` and `bounded()` methods, next to a `schema` module
//! from `schema::tables!`. A macro rather than generics: the backends' tables differ in timestamp
//! SQL types, so their query types are unrelated, yet the query code is the same.

/// `$body` (diesel calls on `$conn`, ending in a `QueryResult`) on one of `$registry`'s
/// connections, within its time bound; diesel's errors become `RegistryError`s.
macro_rules! on_conn {
    ($registry:expr, |$conn:ident| $body:expr) => {
        $registry
            .bounded(async {
                let mut pooled = $registry.conn().await?;
                let $conn = &mut *pooled;
                let result: diesel::QueryResult<_> = async { $body }.await;
                result.map_err(crate::row::query_error)
            })
            .await
    };
}

macro_rules! impl_registry {
    ($registry:ty) => {
        const _: () = {
            use diesel::upsert::excluded;
            use diesel::{BoolExpressionMethods, ExpressionMethods, OptionalExtension, QueryDsl};
            use diesel_async::RunQueryDsl;

            #[async_trait::async_trait]
            impl stj_core::InstallationRegistry for $registry {
                #[tracing::instrument(skip_all, fields(db.op = "installation_upsert"))]
                async fn upsert(
                    &self,
                    new: stj_core::NewInstallation,
                    now: chrono::DateTime<chrono::Utc>,
                ) -> Result<stj_core::Installation, stj_core::RegistryError> {
                    use schema::installations as t;

                    let secret = &new.sealed_secret;
                    let row: crate::row::Row = crate::queries::on_conn!(self, |conn| {
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
                            .get_result(conn)
                            .await
                    })?;
                    row.into_installation()
                }

                #[tracing::instrument(skip_all, fields(db.op = "installation_find"))]
                async fn find(
                    &self,
                    client_key: &stj_core::ClientKey,
                ) -> Result<Option<stj_core::Installation>, stj_core::RegistryError> {
                    use schema::installations as t;

                    let row: Option<crate::row::Row> = crate::queries::on_conn!(self, |conn| {
                        t::table.find(client_key.as_str()).first(conn).await.optional()
                    })?;
                    row.map(crate::row::Row::into_installation).transpose()
                }

                #[tracing::instrument(skip_all, fields(db.op = "installation_set_enabled"))]
                async fn set_enabled(
                    &self,
                    client_key: &stj_core::ClientKey,
                    enabled: bool,
                    now: chrono::DateTime<chrono::Utc>,
                ) -> Result<bool, stj_core::RegistryError> {
                    use schema::installations as t;

                    let updated = crate::queries::on_conn!(self, |conn| {
                        diesel::update(t::table.find(client_key.as_str()))
                            .set((t::enabled.eq(enabled), t::updated_at.eq(now)))
                            .execute(conn)
                            .await
                    })?;
                    Ok(updated > 0)
                }

                #[tracing::instrument(skip_all, fields(db.op = "installation_delete"))]
                async fn delete(
                    &self,
                    client_key: &stj_core::ClientKey,
                ) -> Result<bool, stj_core::RegistryError> {
                    use schema::forge_links as links;
                    use schema::installations as t;

                    let deleted = crate::queries::on_conn!(self, |conn| {
                        // The Forge link goes with the install (first: a crash in between leaves no
                        // link to a missing install).
                        diesel::delete(
                            links::table.filter(links::client_key.eq(client_key.as_str())),
                        )
                        .execute(&mut *conn)
                        .await?;
                        diesel::delete(t::table.find(client_key.as_str())).execute(conn).await
                    })?;
                    Ok(deleted > 0)
                }

                #[tracing::instrument(level = "debug", skip_all, fields(db.op = "ping"))]
                async fn ping(&self) -> Result<(), stj_core::RegistryError> {
                    // A constant round trip; there is nothing to build.
                    crate::queries::on_conn!(self, |conn| {
                        diesel::sql_query("SELECT 1").execute(conn).await
                    })?;
                    Ok(())
                }
            }

            #[async_trait::async_trait]
            impl stj_core::ForgeRegistry for $registry {
                #[tracing::instrument(skip_all, fields(db.op = "forge_upsert"))]
                async fn upsert_forge(
                    &self,
                    new: stj_core::NewForgeInstallation,
                    now: chrono::DateTime<chrono::Utc>,
                ) -> Result<stj_core::ForgeInstallation, stj_core::RegistryError> {
                    use schema::forge_installations as t;

                    let row: crate::row::ForgeRow = crate::queries::on_conn!(self, |conn| {
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
                            .get_result(conn)
                            .await
                    })?;
                    row.into_installation()
                }

                #[tracing::instrument(skip_all, fields(db.op = "forge_find"))]
                async fn find_forge(
                    &self,
                    id: &stj_core::ForgeInstallationId,
                ) -> Result<Option<stj_core::ForgeInstallation>, stj_core::RegistryError> {
                    use schema::forge_installations as t;

                    let row: Option<crate::row::ForgeRow> =
                        crate::queries::on_conn!(self, |conn| {
                            t::table.find(id.as_str()).first(conn).await.optional()
                        })?;
                    row.map(crate::row::ForgeRow::into_installation).transpose()
                }

                #[tracing::instrument(skip_all, fields(db.op = "forge_delete"))]
                async fn delete_forge(
                    &self,
                    id: &stj_core::ForgeInstallationId,
                ) -> Result<bool, stj_core::RegistryError> {
                    use schema::forge_installations as t;

                    let deleted = crate::queries::on_conn!(self, |conn| {
                        diesel::delete(t::table.find(id.as_str())).execute(conn).await
                    })?;
                    Ok(deleted > 0)
                }

                #[tracing::instrument(skip_all, fields(db.op = "forge_link"))]
                async fn link_connect(
                    &self,
                    client_key: &stj_core::ClientKey,
                    id: &stj_core::ForgeInstallationId,
                ) -> Result<(), stj_core::RegistryError> {
                    use schema::forge_links as t;

                    crate::queries::on_conn!(self, |conn| {
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
                        .await?;
                        diesel::insert_into(t::table)
                            .values((
                                t::installation_id.eq(id.as_str()),
                                t::client_key.eq(client_key.as_str()),
                                t::created_at.eq(chrono::Utc::now()),
                            ))
                            .on_conflict(t::installation_id)
                            .do_update()
                            .set(t::client_key.eq(excluded(t::client_key)))
                            .execute(conn)
                            .await
                    })?;
                    Ok(())
                }

                #[tracing::instrument(skip_all, fields(db.op = "forge_linked_client_key"))]
                async fn linked_client_key(
                    &self,
                    id: &stj_core::ForgeInstallationId,
                ) -> Result<Option<stj_core::ClientKey>, stj_core::RegistryError> {
                    use schema::forge_links as t;

                    let key: Option<String> = crate::queries::on_conn!(self, |conn| {
                        t::table
                            .find(id.as_str())
                            .select(t::client_key)
                            .first(conn)
                            .await
                            .optional()
                    })?;
                    key.map(|k| {
                        stj_core::ClientKey::parse(&k).map_err(|e| {
                            stj_core::RegistryError::Corrupt(format!("client_key: {e}"))
                        })
                    })
                    .transpose()
                }
            }
        };
    };
}

pub(crate) use {impl_registry, on_conn};
