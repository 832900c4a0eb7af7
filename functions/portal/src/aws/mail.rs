//! Outgoing email through SES v2: one small module every feature that mails people reuses (ticket
//! replies, invitations, receipts). Locally the stand-in captures what is sent.

use anyhow::Context;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

pub use crate::domain::Outgoing;

#[derive(Clone, Debug)]
pub struct Mailer {
    client: aws_sdk_sesv2::Client,
    /// The verified sender, e.g. `Northwind IT Portal <portal@northwind.example>`.
    from: String,
}

fn content(data: &str) -> anyhow::Result<Content> {
    Ok(Content::builder().data(data).charset("UTF-8").build()?)
}

impl Mailer {
    pub fn new(aws: &aws_config::SdkConfig, from: impl Into<String>) -> Self {
        Self {
            client: aws_sdk_sesv2::Client::new(aws),
            from: from.into(),
        }
    }

    /// Send one email. Subjects are one line: line breaks become spaces.
    pub async fn send(&self, mail: &Outgoing) -> anyhow::Result<()> {
        if mail.to.is_empty() {
            return Ok(());
        }
        let subject: String = mail
            .subject
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let mut body = Body::builder().text(content(&mail.text)?);
        if let Some(html) = &mail.html {
            body = body.html(content(html)?);
        }
        let message = Message::builder()
            .subject(content(&subject)?)
            .body(body.build())
            .build();
        self.client
            .send_email()
            .from_email_address(&self.from)
            .destination(
                Destination::builder()
                    .set_to_addresses(Some(mail.to.iter().map(|e| e.to_string()).collect()))
                    .build(),
            )
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .with_context(|| format!("sending email {subject:?}"))?;
        Ok(())
    }
}
