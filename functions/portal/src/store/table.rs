//! The table's definition, for local development and tests. `infra/template.yaml` declares the same
//! keys, index and TTL for AWS; a test keeps the two in step.

use anyhow::Context;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

use crate::store::keys;

/// Create the table (and its TTL) unless it exists already.
pub async fn ensure(db: &Client, name: &str) -> anyhow::Result<()> {
    if db.describe_table().table_name(name).send().await.is_ok() {
        return Ok(());
    }
    let attr = |n: &str| {
        AttributeDefinition::builder()
            .attribute_name(n)
            .attribute_type(ScalarAttributeType::S)
            .build()
    };
    let key = |n: &str, t: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(n)
            .key_type(t)
            .build()
    };
    let mut create = db
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr(keys::PK)?)
        .attribute_definitions(attr(keys::SK)?)
        .key_schema(key(keys::PK, KeyType::Hash)?)
        .key_schema(key(keys::SK, KeyType::Range)?);
    for index in keys::INDEXES {
        create = create
            .attribute_definitions(attr(index.pk)?)
            .attribute_definitions(attr(index.sk)?)
            .global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(index.name)
                    .key_schema(key(index.pk, KeyType::Hash)?)
                    .key_schema(key(index.sk, KeyType::Range)?)
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::All)
                            .build(),
                    )
                    .build()?,
            );
    }
    create
        .send()
        .await
        .with_context(|| format!("creating table {name}"))?;
    db.update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(keys::TTL)
                .build()?,
        )
        .send()
        .await
        .with_context(|| format!("enabling TTL on {name}"))?;
    Ok(())
}
