//! Checks that the deployment pieces agree with the code: secrets load from SSM as they do from a
//! file, and every local route (cargo-lambda's router) exists in the SAM template's HTTP API.

use portal::aws::config::SecretsSource;
use portal::aws::secrets::Secrets;

/// Store `secrets` in SSM as `infra/aws_ops.py put-secrets` does: one parameter per part.
async fn put_parts(aws: &aws_config::SdkConfig, name: &str, secrets: &Secrets) {
    let ssm = aws_sdk_ssm::Client::new(aws);
    for (suffix, part) in secrets.split().unwrap() {
        ssm.put_parameter()
            .name(format!("{name}{suffix}"))
            .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
            .value(part.to_string())
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn each_function_loads_only_its_part_of_the_secrets_from_ssm() {
    let aws = portal_tests::sdk_config().await;
    let name = format!("/portal-test/{}/secrets", portal::domain::random_hex(6));
    let mut secrets = Secrets::generate().unwrap();
    secrets.stripe_secret_key = Some("sk_test_parts".into());
    secrets.stripe_webhook_secret = Some("whsec_parts".into());
    secrets.microsoft_client_id = Some("ms-client".into());
    secrets.microsoft_client_secret = Some("ms-secret".into());
    put_parts(&aws, &name, &secrets).await;
    let source = SecretsSource::SsmParameter(name.clone());
    let load = |parts: &[&str]| {
        let parts: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
        let (aws, source) = (aws.clone(), source.clone());
        async move { Secrets::load(&source, &parts, &aws).await.unwrap() }
    };
    // Tickets, accounts, reminders: the shared part only.
    let shared = load(&[]).await;
    assert_eq!(shared.master_key, secrets.master_key);
    assert!(
        shared.jwt_signing_der().unwrap().is_none(),
        "no signing key"
    );
    assert!(shared.stripe().is_none(), "no Stripe keys");
    assert_eq!(
        shared.jwt_public_raw().unwrap(),
        secrets.jwt_public_raw().unwrap()
    );
    // Auth signs and signs in with the providers; billing talks to Stripe.
    let auth = load(&["signing", "sso"]).await;
    assert_eq!(auth.jwt_signing_key, secrets.jwt_signing_key);
    assert!(auth.stripe().is_none());
    let providers: Vec<_> = auth.sso().into_iter().map(|c| c.provider).collect();
    assert_eq!(providers, [portal::domain::sign_in::Provider::Microsoft]);
    assert!(load(&[]).await.sso().is_empty());
    // A part never stored (no Stripe keys, no providers yet) is that feature off, not a failure.
    let without = load(&["signing", "not-stored"]).await;
    assert_eq!(without.jwt_signing_key, secrets.jwt_signing_key);
    let billing = load(&["stripe"]).await;
    assert!(billing.jwt_signing_der().unwrap().is_none());
    assert_eq!(billing.stripe().unwrap().secret_key, "sk_test_parts");
    let missing = Secrets::load(
        &SecretsSource::SsmParameter(format!("{name}-missing")),
        &[],
        &aws,
    )
    .await
    .unwrap_err();
    assert!(
        format!("{missing:#}").contains("-missing"),
        "the error names the parameter: {missing:#}"
    );
}

#[tokio::test]
async fn a_function_without_the_signing_key_verifies_sessions_but_issues_none() {
    let t = portal_tests::TestApp::new().await;
    let cookie = t.login("user@acme.example").await;
    let shared = Secrets::parse(&t.secrets.split().unwrap()[0].1.to_string()).unwrap();
    let verifier = portal::App::new(
        t.app.config.clone(),
        &shared,
        &portal_tests::sdk_config().await,
        t.clock.clone(),
    )
    .unwrap();
    assert!(!verifier.tokens.can_sign() && t.app.tokens.can_sign());
    // Long after the token's own expiry, the session (not the token) decides; no new token.
    t.clock.advance(time::Duration::minutes(40));
    let req = lambda_http::http::Request::builder()
        .uri("https://portal.test/api/tickets")
        .header("cookie", &cookie)
        .header("x-origin-verify", portal_tests::ORIGIN_SECRET)
        .body(lambda_http::Body::Empty)
        .unwrap();
    let answer = portal_tests::Answer::from(tickets::handle(&verifier, req).await);
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert!(
        answer.session_cookie().is_none(),
        "only auth refreshes tokens"
    );
    assert!(
        verifier
            .tokens
            .sign(
                &portal::domain::UserId::parse("u1").unwrap(),
                &portal::domain::CompanyId::parse("acme-dental").unwrap(),
                &portal::domain::SessionId::generate(),
                t.app.now(),
                t.app.now() + time::Duration::hours(1),
            )
            .is_err()
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

/// The template's resources, by logical id: each one's block of text.
fn resources(template: &str) -> Vec<(String, String)> {
    let body = template
        .split("\nResources:\n")
        .nth(1)
        .and_then(|r| r.split("\nOutputs:\n").next())
        .expect("Resources section");
    let mut out: Vec<(String, String)> = Vec::new();
    for line in body.lines() {
        let is_id = line.starts_with("  ")
            && !line.starts_with("   ")
            && !line.trim_start().starts_with('#')
            && line.ends_with(':');
        if is_id {
            out.push((line.trim().trim_end_matches(':').to_owned(), String::new()));
        } else if let Some((_, block)) = out.last_mut() {
            block.push_str(line);
            block.push('\n');
        }
    }
    out
}

#[test]
fn every_function_logs_to_its_own_group_with_the_retention_parameter() {
    let template =
        std::fs::read_to_string(portal_tests::workspace_root().join("infra/template.yaml"))
            .unwrap();
    let all = resources(&template);
    let block = |id: &str| {
        all.iter()
            .find(|(i, _)| i == id)
            .map(|(_, b)| b.as_str())
            .unwrap_or_else(|| panic!("no resource {id}"))
    };
    let functions: Vec<&(String, String)> = all
        .iter()
        .filter(|(_, b)| b.contains("Type: AWS::Serverless::Function"))
        .collect();
    assert!(functions.len() >= 5, "{}", functions.len());
    for (id, body) in functions {
        let group = body
            .lines()
            .find_map(|l| l.trim().strip_prefix("LogGroup: !Ref "))
            .unwrap_or_else(|| panic!("{id} names no log group"));
        let logs = block(group);
        assert!(logs.contains("Type: AWS::Logs::LogGroup"), "{group}");
        assert!(
            logs.contains("RetentionInDays: !Ref LogRetentionDays"),
            "{group}"
        );
    }
}

#[test]
fn the_tickets_function_reaches_only_tickets_files_and_may_list_the_bucket() {
    let template =
        std::fs::read_to_string(portal_tests::workspace_root().join("infra/template.yaml"))
            .unwrap();
    let all = resources(&template);
    let (_, tickets) = all.iter().find(|(i, _)| i == "TicketsFunction").unwrap();
    let s3: Vec<&str> = tickets
        .split("- Effect: Allow")
        .filter(|statement| statement.contains("s3:"))
        .collect();
    assert_eq!(s3.len(), 2, "{s3:#?}");
    for statement in s3 {
        if statement.contains("s3:ListBucket") {
            assert!(
                statement.contains("Resource: !GetAtt AttachmentsBucket.Arn"),
                "{statement}"
            );
        } else {
            assert!(
                statement.contains(r#"Resource: !Sub "${AttachmentsBucket.Arn}/*/tickets/*""#),
                "{statement}"
            );
        }
    }
}

#[test]
fn cloudfront_and_the_functions_share_the_origin_secret_and_pass_the_viewer_address() {
    let template =
        std::fs::read_to_string(portal_tests::workspace_root().join("infra/template.yaml"))
            .unwrap();
    let secret = r#"!Sub "{{resolve:ssm:${SecretsParameterName}-origin-verify}}""#;
    assert!(template.contains(&format!("ORIGIN_SECRET: {secret}")));
    assert!(template.contains(&format!(
        "- HeaderName: X-Origin-Verify\n                HeaderValue: {secret}"
    )));
    let all = resources(&template);
    let (_, policy) = all
        .iter()
        .find(|(i, _)| i == "ApiOriginRequestPolicy")
        .unwrap();
    for header in [
        "CloudFront-Viewer-Address",
        "Origin",
        "Referer",
        "Idempotency-Key",
        "Stripe-Signature",
    ] {
        assert!(policy.contains(&format!("- {header}\n")), "{header}");
    }
    assert!(
        !policy.contains("- Host\n"),
        "API Gateway wants its own Host"
    );
}

/// Targets marked `test = false` (docs/decisions.md, Tooling) must have no unit tests: cargo would
/// skip them without a word.
#[test]
fn no_target_kept_out_of_test_mode_has_unit_tests() {
    let root = portal_tests::workspace_root();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let members: Vec<String> = manifest
        .split("members = [")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .unwrap()
        .split(',')
        .map(|m| m.trim().trim_matches('"').to_owned())
        .filter(|m| !m.is_empty())
        .collect();
    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut checked = 0;
    for member in members {
        let dir = root.join(&member);
        let text = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        // Each `[lib]` or `[[bin]]` table, as (header, body).
        for table in text.split("\n[").skip(1) {
            let (header, body) = table.split_once('\n').unwrap_or((table, ""));
            let body = body.split("\n[").next().unwrap_or(body);
            if !body.lines().any(|l| l.trim() == "test = false") {
                continue;
            }
            let files = match header.trim_end_matches(']').trim_start_matches('[') {
                "lib" => {
                    let mut all = Vec::new();
                    rust_files(&dir.join("src"), &mut all);
                    all
                }
                "bin" => body
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("path = "))
                    .map(|p| vec![dir.join(p.trim_matches('"'))])
                    .unwrap_or_default(),
                _ => continue,
            };
            for file in files {
                let code = std::fs::read_to_string(&file).unwrap();
                assert!(
                    !code.contains("#[cfg(test)]") && !code.contains("#[test]"),
                    "{} has unit tests but its target says `test = false` in {member}/Cargo.toml",
                    file.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "checked {checked} files");
}
