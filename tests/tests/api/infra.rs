//! Checks that the deployment pieces agree with the code: secrets load from SSM as they do from a
//! file, and every local route (cargo-lambda's router) exists in the SAM template's HTTP API.

use portal::aws::config::{Secrets, SecretsSource};

#[tokio::test]
async fn secrets_load_from_an_ssm_secure_string() {
    let aws = portal_tests::sdk_config().await;
    let name = format!("/portal-test/{}/secrets", portal::domain::random_hex(6));
    let secrets = Secrets::generate().unwrap();
    aws_sdk_ssm::Client::new(&aws)
        .put_parameter()
        .name(&name)
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .value(serde_json::to_string(&secrets).unwrap())
        .send()
        .await
        .unwrap();
    let loaded = Secrets::load(&SecretsSource::SsmParameter(name.clone()), &aws)
        .await
        .unwrap();
    assert_eq!(loaded.jwt_signing_key, secrets.jwt_signing_key);
    assert_eq!(loaded.cursor_key, secrets.cursor_key);
    let missing = Secrets::load(
        &SecretsSource::SsmParameter(format!("{name}-missing")),
        &aws,
    )
    .await
    .unwrap_err();
    assert!(
        format!("{missing:#}").contains("-missing"),
        "the error names the parameter: {missing:#}"
    );
}

#[test]
fn every_local_route_is_a_route_of_the_http_api() {
    let root = portal_tests::workspace_root();
    let cargo = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let template = std::fs::read_to_string(root.join("infra/template.yaml")).unwrap();
    let router = cargo
        .split("[workspace.metadata.lambda.watch.router]")
        .nth(1)
        .expect("router table");
    let mut checked = 0;
    for line in router.lines().take_while(|l| !l.starts_with('[')) {
        let Some((path, function)) = line.split_once(" = ") else {
            continue;
        };
        let path = path.trim_matches('"').replace("{*rest}", "{proxy+}");
        let function = function.trim_matches('"');
        let integration = format!(
            "{}{}Integration",
            function[..1].to_uppercase(),
            &function[1..]
        );
        let route =
            format!("RouteKey: ANY {path}\n      Target: !Sub \"integrations/${{{integration}}}\"");
        assert!(template.contains(&route), "template lacks {route}");
        checked += 1;
    }
    assert!(checked >= 4, "router entries not found");
}

#[test]
fn every_named_resource_of_the_template_is_named_from_its_stack() {
    // Names that must be unique in an account and region (schedules) carry the stack's name, so a
    // second stage of the portal deploys beside the first.
    let root = portal_tests::workspace_root();
    let template = std::fs::read_to_string(root.join("infra/template.yaml")).unwrap();
    let mut schedules = 0;
    let lines: Vec<&str> = template.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() == "Type: ScheduleV2" {
            schedules += 1;
            let name = lines[i..]
                .iter()
                .take(8)
                .find(|l| l.trim_start().starts_with("Name:"))
                .unwrap_or_else(|| panic!("the schedule at line {} has no Name", i + 1));
            assert!(name.contains("${AWS::StackName}"), "{name}");
        }
    }
    assert!(schedules > 0, "no schedule found in the template");
}
