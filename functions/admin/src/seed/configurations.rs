//! Demo configurations: Acme Dental's thirty devices, licences, domains and certificates (two
//! expiring within 45 days, one expired, some the subject of tickets, some with a Standard User as
//! contact) and a handful of Globex's. Expiry dates are relative to `now`, so the warnings always
//! show. Written once (skipped when Acme's firewall exists).

use time::{Duration, OffsetDateTime};

use portal::domain::configurations::{
    Configuration, ConfigurationFields, ConfigurationStatus, TicketConfiguration,
};
use portal::domain::tickets::{Priority, Ticket, TicketStatus};
use portal::domain::{CompanyId, ConfigurationId};
use portal::store::Store;

use super::{demo_user_id, find};

/// id, name, type, manufacturer, model, serial, tag, contact, location, purchased (days from
/// now), expires (days from now), status, notes.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    Option<i64>,
    Option<i64>,
    ConfigurationStatus,
    &'static str,
);

use ConfigurationStatus::{Active, Inactive};

#[rustfmt::skip]
const ACME: &[Row] = &[
    ("acme-fw-01", "FW-01 Main firewall", "Firewall", "Fortinet", "FortiGate 60F", "FGT60FTK2109A1B2", "ACME-0001", None, "Comms room", Some(-700), Some(30), Active, "Firmware 7.2.8. Support contract renews yearly."),
    ("acme-sw-01", "SW-01 Core switch", "Switch", "Aruba", "CX 6100 24G", "SG12KX0001", "ACME-0002", None, "Comms room", Some(-700), Some(400), Active, ""),
    ("acme-sw-02", "SW-02 Surgery switch", "Switch", "Aruba", "CX 6100 24G", "SG12KX0002", "ACME-0003", None, "Surgery wing", Some(-690), Some(410), Active, ""),
    ("acme-ap-01", "AP-01 Reception", "Wireless access point", "Ubiquiti", "U6 Pro", "UBNT6P0101", "ACME-0004", None, "Reception ceiling", Some(-500), Some(230), Active, ""),
    ("acme-ap-02", "AP-02 Surgery", "Wireless access point", "Ubiquiti", "U6 Pro", "UBNT6P0102", "ACME-0005", None, "Surgery corridor", Some(-500), Some(230), Active, ""),
    ("acme-srv-01", "SRV-01 Practice server", "Server", "Dell", "PowerEdge T350", "DLT350X7Q2", "ACME-0006", None, "Comms room", Some(-900), Some(20), Active, "Runs the practice-management database and the imaging archive."),
    ("acme-nas-01", "NAS-01 Backup store", "Server", "Synology", "DS923+", "SYN923B0441", "ACME-0007", None, "Comms room", Some(-400), Some(700), Active, "Nightly image backups, replicated off site."),
    ("acme-ws-01", "WS-01 Reception desk", "Workstation", "Dell", "OptiPlex 7010", "DL7010RC01", "ACME-0101", Some("user@acme.example"), "Reception", Some(-300), Some(800), Active, ""),
    ("acme-ws-02", "WS-02 Reception desk 2", "Workstation", "Dell", "OptiPlex 7010", "DL7010RC02", "ACME-0102", None, "Reception", Some(-300), Some(800), Active, ""),
    ("acme-ws-03", "WS-03 Surgery 1", "Workstation", "Dell", "OptiPlex 7010", "DL7010SG01", "ACME-0103", None, "Surgery 1", Some(-300), Some(800), Active, "Imaging bridge installed."),
    ("acme-ws-04", "WS-04 Surgery 2", "Workstation", "Dell", "OptiPlex 7010", "DL7010SG02", "ACME-0104", None, "Surgery 2", Some(-300), Some(800), Active, "Imaging bridge installed."),
    ("acme-ws-05", "WS-05 Surgery 3", "Workstation", "Dell", "OptiPlex 7010", "DL7010SG03", "ACME-0105", None, "Surgery 3", Some(-300), Some(800), Active, ""),
    ("acme-ws-06", "WS-06 X-ray viewer", "Workstation", "HP", "Z2 G9", "HPZ2G9XR01", "ACME-0106", None, "X-ray room", Some(-200), Some(900), Active, "Calibrated monitor; do not change display settings."),
    ("acme-ws-07", "WS-07 Old reception PC", "Workstation", "Dell", "OptiPlex 3050", "DL3050RC09", "ACME-0107", None, "Store room", Some(-2000), Some(-900), Inactive, "Retired; kept for the old scheduling data."),
    ("acme-lt-01", "LT-01 Practice manager laptop", "Laptop", "Lenovo", "ThinkPad T14 Gen 4", "LNVT14G4PM1", "ACME-0201", Some("fulladmin@acme.example"), "Office", Some(-150), Some(580), Active, ""),
    ("acme-lt-02", "LT-02 Dentist laptop", "Laptop", "Apple", "MacBook Air 13 M2", "C02MBA2DT01", "ACME-0202", Some("user@acme.example"), "Mobile", Some(-250), Some(480), Active, "AppleCare+ included."),
    ("acme-lt-03", "LT-03 Hygienist laptop", "Laptop", "Lenovo", "ThinkPad E14", "LNVE14HY01", "ACME-0203", None, "Hygiene room", Some(-250), Some(480), Active, ""),
    ("acme-pr-01", "PR-01 Reception printer", "Printer", "Brother", "HL-L6210DW", "BRL6210R01", "ACME-0301", None, "Reception", Some(-600), Some(130), Active, "Toner: TN-920UXXL."),
    ("acme-pr-02", "PR-02 Label printer", "Printer", "Zebra", "ZD421", "ZBD421L001", "ACME-0302", Some("user@acme.example"), "Sterilisation room", Some(-600), Some(130), Active, ""),
    ("acme-pr-03", "PR-03 Office MFP", "Printer", "Canon", "imageRUNNER C3226i", "CNC3226O01", "ACME-0303", None, "Office", Some(-800), Some(60), Active, "Lease with Canon Finance."),
    ("acme-ph-01", "PH-01 Practice manager phone", "Mobile device", "Apple", "iPhone 15", "F2LIP15PM01", "ACME-0401", Some("fulladmin@acme.example"), "Mobile", Some(-100), Some(265), Active, "Enrolled in Intune."),
    ("acme-ph-02", "PH-02 On-call phone", "Mobile device", "Samsung", "Galaxy A55", "R5CSGA55OC1", "ACME-0402", None, "Mobile", Some(-100), Some(265), Active, "Enrolled in Intune."),
    ("acme-lic-m365", "Microsoft 365 Business Premium (14 seats)", "Licence", "Microsoft", "", "", "", None, "", Some(-330), Some(120), Active, "Annual commitment, billed monthly."),
    ("acme-lic-av", "Endpoint protection (20 seats)", "Licence", "ESET", "PROTECT Entry", "", "", None, "", Some(-300), Some(65), Active, ""),
    ("acme-lic-pms", "Practice-management software", "Licence", "Dentrix", "Ascend", "", "", None, "", Some(-365), Some(200), Active, "Vendor supports the database; we support the server."),
    ("acme-lic-bkp", "Backup software", "Licence", "Veeam", "Backup & Replication", "", "", None, "", Some(-400), Some(-5), Active, "Renewal quote sent; expired five days ago."),
    ("acme-dom-01", "acmedental.example", "Domain", "Cloudflare Registrar", "", "", "", None, "", Some(-1500), Some(90), Active, "Auto-renew on; DNS at Cloudflare."),
    ("acme-cert-01", "portal.acmedental.example TLS", "Certificate", "Let's Encrypt", "", "", "", None, "", Some(-60), Some(50), Active, "Renewed automatically every 60 days."),
    ("acme-ups-01", "UPS-01 Comms room UPS", "Other", "APC", "Smart-UPS 1500", "APCSMT1500C1", "ACME-0501", None, "Comms room", Some(-1000), Some(95), Active, "Battery replaced last spring."),
    ("acme-cam-01", "CAM-01 Intra-oral camera", "Other", "Acteon", "SoproCare", "ACTSOPRO001", "ACME-0502", None, "Surgery 1", Some(-450), Some(280), Active, ""),
];

#[rustfmt::skip]
const GLOBEX: &[Row] = &[
    ("globex-fw-01", "Warehouse firewall", "Firewall", "SonicWall", "TZ370", "SWTZ370GX01", "GLX-001", None, "Warehouse office", Some(-500), Some(230), Active, ""),
    ("globex-ws-01", "Dispatch PC", "Workstation", "HP", "ProDesk 400 G9", "HP400G9GX01", "GLX-101", Some("user@globex.example"), "Dispatch", Some(-300), Some(430), Active, ""),
    ("globex-lt-01", "Manager laptop", "Laptop", "Dell", "Latitude 5440", "DL5440GX01", "GLX-201", Some("fulladmin@globex.example"), "Office", Some(-200), Some(530), Active, ""),
    ("globex-pr-01", "Shipping label printer", "Printer", "Zebra", "ZT231", "ZBZT231GX1", "GLX-301", None, "Loading bay", Some(-600), Some(130), Active, ""),
    ("globex-lic-m365", "Microsoft 365 Business Standard (6 seats)", "Licence", "Microsoft", "", "", "", None, "", Some(-200), Some(165), Active, ""),
];

/// The Acme tickets about configurations: configuration id, summary, contact, status.
#[rustfmt::skip]
const TICKETS: &[(&str, &str, &str, TicketStatus)] = &[
    ("acme-pr-01", "Reception printer jams on every second page", "user@acme.example", TicketStatus::InProgress),
    ("acme-srv-01", "Practice server fan is loud after the power cut", "fulladmin@acme.example", TicketStatus::New),
    ("acme-ws-01", "Reception PC asks for a password twice at login", "user@acme.example", TicketStatus::Resolved),
    ("acme-fw-01", "Renew the firewall support contract", "fulladmin@acme.example", TicketStatus::WaitingOnClient),
];

fn configuration(
    company: &CompanyId,
    row: &Row,
    now: OffsetDateTime,
) -> anyhow::Result<Configuration> {
    let (
        id,
        name,
        kind,
        manufacturer,
        model,
        serial,
        tag,
        contact,
        location,
        purchased,
        expires,
        status,
        notes,
    ) = *row;
    let day = |d: i64| (now + Duration::days(d)).date();
    let contact = contact.map(find).transpose()?;
    Ok(Configuration {
        id: ConfigurationId::parse(id).map_err(|_| anyhow::anyhow!("bad demo id {id}"))?,
        company_id: company.clone(),
        fields: ConfigurationFields {
            name: name.into(),
            kind: kind.into(),
            status,
            manufacturer: manufacturer.into(),
            model: model.into(),
            serial: serial.into(),
            tag: tag.into(),
            contact_id: contact.map(|c| demo_user_id(c.email)),
            location: location.into(),
            purchase_date: purchased.map(day),
            expires: expires.map(day),
            notes: notes.into(),
            internal_notes: if kind == "Firewall" {
                "Admin credentials in the MSP's vault under the client's name.".into()
            } else {
                String::new()
            },
        },
        contact_name: contact.map(|c| c.name.into()),
        created_at: now - Duration::days(30),
        updated_at: now - Duration::days(30),
        version: 1,
    })
}

pub async fn seed_configurations(store: &Store, now: OffsetDateTime) -> anyhow::Result<()> {
    let acme = CompanyId::parse("acme-dental").map_err(|_| anyhow::anyhow!("bad demo company"))?;
    let globex =
        CompanyId::parse("globex-logistics").map_err(|_| anyhow::anyhow!("bad demo company"))?;
    let first = ConfigurationId::parse(ACME[0].0).map_err(|_| anyhow::anyhow!("bad demo id"))?;
    if store.get_configuration(&acme, &first).await?.is_some() {
        return Ok(());
    }
    let mut all = Vec::new();
    for row in ACME {
        all.push(configuration(&acme, row, now)?);
    }
    for row in GLOBEX {
        all.push(configuration(&globex, row, now)?);
    }
    store.load_configurations(&all).await?;
    let tech = find("tech@northwind.example")?;
    for (i, (id, summary, contact, status)) in TICKETS.iter().enumerate() {
        let c = all
            .iter()
            .find(|c| c.id.as_str() == *id)
            .ok_or_else(|| anyhow::anyhow!("no demo configuration {id}"))?;
        let contact = find(contact)?;
        let at = now - Duration::days(12 - i as i64 * 3);
        let ticket = Ticket {
            number: store.next_number("TICKET").await?,
            company_id: acme.clone(),
            summary: (*summary).into(),
            description: format!("{summary}. About {}.", c.fields.name),
            request_type: "Problem".into(),
            priority: Priority::Medium,
            emergency: false,
            due_date: None,
            po_number: None,
            status: *status,
            contact_id: demo_user_id(contact.email),
            contact_name: contact.name.into(),
            created_by_id: demo_user_id(contact.email),
            created_at: at,
            updated_at: at,
            closed_at: (!status.is_open()).then_some(at + Duration::days(1)),
            invoices: Vec::new(),
            approval: None,
            work: portal::domain::tickets::TicketWork {
                // Resolved or closed: when, for the reports' resolution times.
                resolved_at: (!status.is_open()).then_some(at + Duration::days(1)),
                ..Default::default()
            },
            assignee_company: CompanyId::parse("northwind-it").ok(),
            assignee_id: Some(demo_user_id(tech.email)),
            assignee_name: Some(tech.name.into()),
            project: None,
            configuration: Some(TicketConfiguration {
                id: c.id.clone(),
                name: c.fields.name.clone(),
            }),
            version: 1,
        };
        store.create_ticket(&ticket).await?;
    }
    Ok(())
}
