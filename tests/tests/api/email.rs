//! The email module against the local SES stand-in: what is sent is what the recipient gets.

use portal::aws::mail::{Mailer, Outgoing};
use portal::domain::Email;

#[tokio::test]
async fn mail_is_sent_through_ses_with_a_one_line_subject() {
    let aws = portal_tests::sdk_config().await;
    let sender = format!("portal-{}@northwind.example", portal::domain::random_hex(4));
    aws_sdk_sesv2::Client::new(&aws)
        .create_email_identity()
        .email_identity(&sender)
        .send()
        .await
        .unwrap();
    let mailer = Mailer::new(&aws, sender.clone());
    let to = Email::parse("user@acme.example").unwrap();
    mailer
        .send(&Outgoing {
            to: vec![to],
            subject: "Ticket #1042 updated\r\nBcc: evil@example.com".into(),
            text: "Theo replied to your ticket.".into(),
            html: None,
        })
        .await
        .unwrap();
    let sent = portal_tests::sent_mail().await;
    let mail = sent
        .iter()
        .find(|m| m["source"] == sender.as_str())
        .expect("the mail was captured");
    assert_eq!(
        mail["destinations"]["ToAddresses"],
        serde_json::json!(["user@acme.example"])
    );
    assert_eq!(
        mail["subject"],
        "Ticket #1042 updated  Bcc: evil@example.com"
    );
    assert_eq!(mail["body"], "Theo replied to your ticket.");
}
