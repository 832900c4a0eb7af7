use super::import::parse;
use super::*;
use time::macros::date;

fn types() -> ConfigurationTypes {
    ConfigurationTypes::default()
}

fn configuration(expires: Option<time::Date>, status: ConfigurationStatus) -> Configuration {
    let body = ConfigurationBody {
        name: "FW-01".into(),
        kind: "firewall".into(),
        status: Some(status),
        expires: expires.map(|d| d.to_string()),
        ..Default::default()
    };
    let fields = body.check(&types()).unwrap();
    Configuration {
        id: ConfigurationId::parse("c1").unwrap(),
        company_id: CompanyId::parse("acme").unwrap(),
        fields,
        contact_name: None,
        created_at: OffsetDateTime::UNIX_EPOCH,
        updated_at: OffsetDateTime::UNIX_EPOCH,
        version: 1,
    }
}

#[test]
fn expiry_counts_45_days_and_ignores_inactive() {
    let today = date!(2026 - 12 - 01);
    let on = |d, s| configuration(Some(d), s).expiry(today);
    assert_eq!(
        on(date!(2026 - 11 - 30), ConfigurationStatus::Active),
        Expiry::Expired
    );
    assert_eq!(on(today, ConfigurationStatus::Active), Expiry::Soon);
    assert_eq!(
        on(date!(2027 - 01 - 15), ConfigurationStatus::Active),
        Expiry::Soon
    );
    assert_eq!(
        on(date!(2027 - 01 - 16), ConfigurationStatus::Active),
        Expiry::Later
    );
    assert_eq!(
        on(date!(2026 - 11 - 30), ConfigurationStatus::Inactive),
        Expiry::None
    );
    assert_eq!(
        configuration(None, ConfigurationStatus::Active).expiry(today),
        Expiry::None
    );
    assert_eq!(warning_horizon(today), date!(2027 - 01 - 15));
}

#[test]
fn fields_are_checked_and_the_type_takes_the_lists_spelling() {
    let c = configuration(None, ConfigurationStatus::Active);
    assert_eq!(c.fields.kind, "Firewall");
    let bad = ConfigurationBody {
        name: " ".into(),
        kind: "spaceship".into(),
        serial: Some("A\nB".into()),
        expires: Some("31/12/2026".into()),
        contact_id: Some("not an id".into()),
        ..Default::default()
    };
    let Err(DomainError::Validation(errors)) = bad.check(&types()) else {
        panic!("accepted");
    };
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["name", "type", "contact_id", "expires", "serial"]);
}

#[test]
fn the_type_list_drops_blanks_and_twins() {
    let body = TypesBody {
        types: vec!["Server".into(), " ".into(), "server".into(), "NAS".into()],
        version: 0,
    };
    assert_eq!(body.check().unwrap(), ["Server", "NAS"]);
    let empty = TypesBody {
        types: vec![" ".into()],
        version: 0,
    };
    assert!(empty.check().is_err());
}

#[test]
fn a_csv_is_read_by_its_headers_and_each_bad_row_named_by_line() {
    let csv = "Device Name,Type,Serial #,Asset Tag,Warranty Expires,Contact,RMM agent id\n\
               PC-01,Workstation,SN1,T1,2027-03-01,user@acme.example,x\n\
               PC-02,workstation,sn1,,,,\n\
               PC-03,Toaster,SN3,,2027-02-30,,\n\
               \"PC-04, \"\"front desk\"\"\",Laptop,SN4,T1,,not-an-email,\n\
               ,,,,,,\n\
               PC-05,Laptop,,,,,\n";
    let parsed = parse(csv.as_bytes(), &types());
    assert_eq!(parsed.ignored_columns, ["RMM agent id"]);
    let good: Vec<_> = parsed
        .rows
        .iter()
        .map(|r| (r.line, r.fields.name.as_str()))
        .collect();
    assert_eq!(good, [(2, "PC-01"), (7, "PC-05")]);
    assert_eq!(parsed.rows[0].fields.expires, Some(date!(2027 - 03 - 01)));
    assert_eq!(
        parsed.rows[0].contact_email.as_ref().unwrap().as_str(),
        "user@acme.example"
    );
    let errors: Vec<_> = parsed
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_str()))
        .collect();
    assert_eq!(
        errors,
        [(3, "serial"), (4, "type"), (4, "expires"), (5, "contact")]
    );
}

#[test]
fn a_csv_without_the_needed_columns_or_rows_is_refused() {
    let parsed = parse(b"Serial,Model\nA,B\n", &types());
    let columns: Vec<_> = parsed.errors.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(columns, ["name", "type"]);
    let parsed = parse(b"Name,Type\n", &types());
    assert_eq!(parsed.errors.len(), 1);
    let parsed = parse(b"", &types());
    assert!(!parsed.errors.is_empty());
}

#[test]
fn a_bad_row_far_down_is_named_by_its_line() {
    let mut csv = String::from("Name,Type,Expires\n");
    for i in 2..=1000 {
        let date = if i == 812 { "2027-13-01" } else { "2027-01-01" };
        csv.push_str(&format!("PC-{i},Workstation,{date}\n"));
    }
    for text in [csv.clone(), csv.replace('\n', "\r\n")] {
        let parsed = parse(text.as_bytes(), &types());
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].line, 812);
        assert_eq!(parsed.rows.len(), 998);
        assert_eq!(parsed.rows[0].line, 2);
    }
}
