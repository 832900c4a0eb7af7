//! Demo documents: Acme Dental's library in two folders (a network diagram with two versions,
//! its firewall runbook, its acceptable-use policy and onboarding guide, a password policy for
//! admins only, and the MSP's internal handover notes), and Globex's Wi-Fi survey. Written with
//! the demo data (skipped when Acme's diagram exists); the files go to the attachments bucket.

use time::{Duration, OffsetDateTime};

use portal::domain::documents::{Document, DocumentVersion, Visibility};
use portal::domain::{CompanyId, DocumentId};
use portal::store::Store;

use super::DemoFile;

/// id, company, folder, name, visibility, versions: (file name, days ago, from the MSP, text).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Visibility,
    &'static [(&'static str, i64, bool, &'static str)],
);

use Visibility::{AdminsOnly, AllUsers, Internal};

#[rustfmt::skip]
const DOCUMENTS: &[Row] = &[
    ("acme-doc-diagram", "acme-dental", "Network", "Network diagram", AllUsers, &[
        ("network-diagram-2025.txt", 300, true, "Acme Dental network (2025)\nISP -> FW-01 -> SW-01 -> surgeries, reception, NAS-01\n"),
        ("network-diagram-2026.txt", 20, true, "Acme Dental network (2026)\nISP -> FW-01 -> SW-01 -> SW-02 (surgery wing), reception, NAS-01, AP-01, AP-02\n"),
    ]),
    ("acme-doc-runbook", "acme-dental", "Network", "Firewall runbook", AllUsers, &[
        ("firewall-runbook.md", 60, true, "# Firewall runbook\n\nIf the internet is down: check the ISP light, then FW-01's status page, then call support.\n"),
    ]),
    ("acme-doc-aup", "acme-dental", "Policies", "Acceptable use policy", AllUsers, &[
        ("acceptable-use-policy.txt", 200, false, "Acme Dental acceptable use policy\n1. Lock your screen when you leave it.\n2. Patient data stays on practice systems.\n"),
    ]),
    ("acme-doc-onboarding", "acme-dental", "Policies", "New starter onboarding guide", AllUsers, &[
        ("onboarding-guide.md", 90, true, "# Your first day\n\nYour account, your laptop, the Wi-Fi, and how to raise a ticket.\n"),
    ]),
    ("acme-doc-passwords", "acme-dental", "Policies", "Password and MFA policy (admins)", AdminsOnly, &[
        ("password-policy.txt", 45, false, "Passwords: 14 characters at least; MFA for everyone; admins review access every quarter.\n"),
    ]),
    ("acme-doc-handover", "acme-dental", "Network", "Technician handover notes", Internal, &[
        ("handover-notes.txt", 10, true, "Internal: FW-01 admin credentials are in the vault under Acme Dental. ISP account number in the vault too.\n"),
    ]),
    ("globex-doc-wifi", "globex-logistics", "Reports", "Warehouse Wi-Fi survey", AllUsers, &[
        ("wifi-survey.txt", 15, true, "Warehouse Wi-Fi survey: four access points cover the floor; the loading bay needs one more.\n"),
    ]),
];

/// Write the demo documents; answers their files for the bucket.
pub async fn seed_documents(store: &Store, now: OffsetDateTime) -> anyhow::Result<Vec<DemoFile>> {
    let acme = CompanyId::parse("acme-dental").map_err(|_| anyhow::anyhow!("bad demo company"))?;
    let first = DocumentId::parse(DOCUMENTS[0].0).map_err(|_| anyhow::anyhow!("bad demo id"))?;
    if store.get_document(&acme, &first).await?.is_some() {
        return Ok(Vec::new());
    }
    let mut all = Vec::new();
    let mut files = Vec::new();
    for (id, company, folder, name, visibility, versions) in DOCUMENTS {
        let company = CompanyId::parse(company).map_err(|_| anyhow::anyhow!("bad demo company"))?;
        let id = DocumentId::parse(id).map_err(|_| anyhow::anyhow!("bad demo id"))?;
        let mut doc_versions = Vec::new();
        for (n, (file_name, days, from_msp, text)) in versions.iter().enumerate() {
            let file_id = format!("{:024x}", n + 1);
            files.push(DemoFile {
                key: portal::store::keys::document_object(&company, &id, &file_id),
                content_type: if file_name.ends_with(".md") {
                    "text/markdown"
                } else {
                    "text/plain"
                },
                bytes: text.as_bytes().into(),
            });
            doc_versions.push(DocumentVersion {
                number: u32::try_from(n + 1)?,
                file_id,
                file_name: (*file_name).into(),
                content_type: if file_name.ends_with(".md") {
                    "text/markdown"
                } else {
                    "text/plain"
                }
                .into(),
                size: text.len() as u64,
                uploaded_by_name: if *from_msp {
                    "Theo Technician"
                } else {
                    "Fiona Fuller"
                }
                .into(),
                from_msp: *from_msp,
                uploaded_at: now - Duration::days(*days),
            });
        }
        let created = doc_versions.first().map_or(now, |v| v.uploaded_at);
        let updated = doc_versions.last().map_or(now, |v| v.uploaded_at);
        all.push(Document {
            id,
            company_id: company,
            name: (*name).into(),
            folder: (*folder).into(),
            visibility: *visibility,
            version: doc_versions.len() as u64,
            versions: doc_versions,
            created_at: created,
            updated_at: updated,
        });
    }
    store.load_documents(&all).await?;
    Ok(files)
}
