//! The Rust fhir-sdk client (R4B models, the closest it has to R4) against the server.

use fhir_sdk::client::Client;
use fhir_sdk::r4b::resources::Patient;
use fhir_sdk::r4b::types::Identifier;
use fhir_sdk::version::FhirR4B;

use crate::common::start;

#[tokio::test]
async fn fhir_sdk_client_creates_reads_updates_and_deletes() {
    let s = start().await;
    let client: Client<FhirR4B> = Client::builder()
        .base_url(format!("{}/", s.base).parse().unwrap())
        .client(s.http.clone())
        .build()
        .unwrap();
    let identifier = Identifier::builder()
        .system("urn:oid:1.2.250.1.213.1.4.10".to_owned())
        .value("sdk-1".to_owned())
        .build()
        .unwrap();
    let patient = Patient::builder()
        .active(true)
        .identifier(vec![Some(identifier)])
        .build()
        .unwrap();
    let (id, version) = client.create(&patient).await.unwrap();
    assert_eq!(version.as_deref(), Some("1"));
    let mut read: Patient = client.read(&id).await.unwrap().expect("found");
    assert_eq!(read.active, Some(true));
    read.active = Some(false);
    let (created, version) = client.update(&read, true).await.unwrap();
    assert!(!created);
    assert_eq!(version, "2");
    let v1: Patient = client
        .read_version(&id, "1")
        .await
        .unwrap()
        .expect("version 1");
    assert_eq!(v1.active, Some(true));
    client
        .delete(fhir_sdk::r4b::resources::ResourceType::Patient, &id)
        .await
        .unwrap();
    assert!(client.read::<Patient>(&id).await.unwrap().is_none());
}
