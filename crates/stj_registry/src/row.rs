use chrono::{DateTime, Utc};
use diesel::Queryable;
use stj_core::{
    ClientKey, CloudId, ForgeInstallation, ForgeInstallationId, IdError, Installation,
    RegistryError, SealedSecret, TenantUrl,
};

/// An `installations` row as stored, in column order; validated by `into_installation`.
#[derive(Debug, Queryable)]
pub(crate) struct Row {
    client_key: String,
    base_url: String,
    display_url: Option<String>,
    secret_key_id: String,
    secret_nonce: Vec<u8>,
    secret_ciphertext: Vec<u8>,
    enabled: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    oauth_client_id: Option<String>,
}

/// The message names the column, never its content: a hand-edited row may hold anything.
fn corrupt(column: &'static str) -> impl Fn(IdError) -> RegistryError {
    move |err| RegistryError::Corrupt(format!("{column}: {err}"))
}

impl Row {
    pub(crate) fn into_installation(self) -> Result<Installation, RegistryError> {
        Ok(Installation {
            client_key: ClientKey::parse(&self.client_key).map_err(corrupt("client_key"))?,
            base_url: TenantUrl::parse(&self.base_url).map_err(corrupt("base_url"))?,
            display_url: self
                .display_url
                .as_deref()
                .map(TenantUrl::parse)
                .transpose()
                .map_err(corrupt("display_url"))?,
            sealed_secret: SealedSecret {
                key_id: self.secret_key_id,
                nonce: self.secret_nonce,
                ciphertext: self.secret_ciphertext,
            },
            enabled: self.enabled,
            created_at: self.created_at,
            updated_at: self.updated_at,
            oauth_client_id: self.oauth_client_id,
        })
    }
}

/// Failed queries: an undecodable row is corrupt data; anything else means the database cannot
/// serve right now (down, timed out, not migrated).
pub(crate) fn query_error(err: diesel::result::Error) -> RegistryError {
    match err {
        diesel::result::Error::DeserializationError(err) => {
            RegistryError::Corrupt(format!("undecodable row: {err}"))
        }
        other => RegistryError::Unavailable(other.into()),
    }
}

/// A `forge_installations` row as stored, in column order; validated by `into_installation`.
#[derive(Debug, Queryable)]
pub(crate) struct ForgeRow {
    installation_id: String,
    cloud_id: String,
    api_base_url: String,
    enabled: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl ForgeRow {
    pub(crate) fn into_installation(self) -> Result<ForgeInstallation, RegistryError> {
        Ok(ForgeInstallation {
            installation_id: ForgeInstallationId::parse(&self.installation_id)
                .map_err(corrupt("installation_id"))?,
            cloud_id: CloudId::parse(&self.cloud_id).map_err(corrupt("cloud_id"))?,
            api_base_url: TenantUrl::parse(&self.api_base_url).map_err(corrupt("api_base_url"))?,
            enabled: self.enabled,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}
