//! The hub's database schema, one migration per step, applied by `hub migrate` and on
//! every `hub serve` start. SQLite (embedded default) and PostgreSQL alike.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_users_and_groups;
mod m20261123_000002_create_clients;
mod m20261123_000003_create_signing_keys;
mod m20261123_000004_create_consents;
mod m20261123_000005_create_refresh_tokens;
mod m20261123_000006_create_federation;
mod m20261123_000007_create_audit_and_sessions;
mod m20261123_000008_federated_sign_in;
mod m20261123_000009_upstream_logout;
mod m20261123_000010_refresh_acr;
mod m20261201_000011_revocations;
mod m20261201_000012_dynamic_registration;
mod m20261201_000013_one_active_key_per_alg;
mod m20261201_000014_request_objects;
mod m20261201_000015_pushed_requests;
mod m20261201_000016_pairwise_subjects;
mod m20261201_000017_standard_claims;
mod m20261201_000018_encrypted_responses;
mod m20261201_000019_claims_requests;
mod m20261201_000020_logout_token_claims;
mod m20261202_000021_indexes_for_large_lists;
mod m20261202_000022_second_factors;
mod m20261202_000024_passkeys;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_users_and_groups::Migration),
            Box::new(m20261123_000002_create_clients::Migration),
            Box::new(m20261123_000003_create_signing_keys::Migration),
            Box::new(m20261123_000004_create_consents::Migration),
            Box::new(m20261123_000005_create_refresh_tokens::Migration),
            Box::new(m20261123_000006_create_federation::Migration),
            Box::new(m20261123_000007_create_audit_and_sessions::Migration),
            Box::new(m20261123_000008_federated_sign_in::Migration),
            Box::new(m20261123_000009_upstream_logout::Migration),
            Box::new(m20261123_000010_refresh_acr::Migration),
            Box::new(m20261201_000011_revocations::Migration),
            Box::new(m20261201_000012_dynamic_registration::Migration),
            Box::new(m20261201_000013_one_active_key_per_alg::Migration),
            Box::new(m20261201_000014_request_objects::Migration),
            Box::new(m20261201_000015_pushed_requests::Migration),
            Box::new(m20261201_000016_pairwise_subjects::Migration),
            Box::new(m20261201_000017_standard_claims::Migration),
            Box::new(m20261201_000018_encrypted_responses::Migration),
            Box::new(m20261201_000019_claims_requests::Migration),
            Box::new(m20261201_000020_logout_token_claims::Migration),
            Box::new(m20261202_000021_indexes_for_large_lists::Migration),
            Box::new(m20261202_000022_second_factors::Migration),
            Box::new(m20261202_000024_passkeys::Migration),
        ]
    }
}
