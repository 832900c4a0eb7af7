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

/// The addresses `mail` goes to.
fn to(mail: &Outgoing) -> Destination {
    Destination::builder()
        .set_to_addresses(Some(mail.to.iter().map(|e| e.to_string()).collect()))
        .build()
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
            .destination(to(mail))
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .with_context(|| format!("sending email {subject:?}"))?;
        Ok(())
    }
}

/// A file sent with an email.
pub struct Attachment<'a> {
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// A header's text: as it is when plain ASCII, else RFC 2047's `=?UTF-8?B?…?=`; line breaks never.
fn header_text(text: &str) -> String {
    use base64::Engine;
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if line.is_ascii() {
        line
    } else {
        format!(
            "=?UTF-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(line.as_bytes())
        )
    }
}

/// `mail` with `attachment` as one MIME message (`multipart/mixed`: the text, then the file).
fn mime(from: &str, mail: &Outgoing, attachment: &Attachment<'_>) -> String {
    use base64::Engine;
    let boundary = format!("=_portal_{}", crate::domain::random_hex(12));
    let to: Vec<String> = mail.to.iter().map(|e| e.to_string()).collect();
    let file_name: String = attachment
        .file_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(attachment.bytes);
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    let text = base64::engine::general_purpose::STANDARD.encode(mail.text.as_bytes());
    let text_lines: Vec<&str> = text
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "From: {from}\r\nTo: {}\r\nSubject: {}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n\
         --{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --{boundary}\r\nContent-Type: {}; name=\"{file_name}\"\r\n\
         Content-Disposition: attachment; filename=\"{file_name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--{boundary}--\r\n",
        to.join(", "),
        header_text(&mail.subject),
        text_lines.join("\r\n"),
        attachment.content_type,
        lines.join("\r\n"),
    )
}

impl Mailer {
    /// Send one email with a file attached (a raw MIME message).
    pub async fn send_with(
        &self,
        mail: &Outgoing,
        attachment: &Attachment<'_>,
    ) -> anyhow::Result<()> {
        if mail.to.is_empty() {
            return Ok(());
        }
        let raw = aws_sdk_sesv2::types::RawMessage::builder()
            .data(aws_smithy_types::Blob::new(mime(
                &self.from, mail, attachment,
            )))
            .build()?;
        self.client
            .send_email()
            .from_email_address(&self.from)
            .destination(to(mail))
            .content(EmailContent::builder().raw(raw).build())
            .send()
            .await
            .with_context(|| {
                format!(
                    "sending email {:?} with {}",
                    mail.subject, attachment.file_name
                )
            })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attachment_travels_as_mime() {
        let mail = Outgoing {
            to: vec![crate::domain::Email::parse("fulladmin@acme.example").unwrap()],
            subject: "Your report — November".into(),
            text: "Attached.".into(),
            html: None,
        };
        let m = mime(
            "Portal <portal@northwind.example>",
            &mail,
            &Attachment {
                file_name: "report nov.pdf",
                content_type: "application/pdf",
                bytes: b"%PDF-1.7",
            },
        );
        assert!(m.contains("Subject: =?UTF-8?B?"), "{m}");
        assert!(m.contains("filename=\"reportnov.pdf\""));
        assert!(m.contains("JVBERi0xLjc="), "the file, in base64");
        assert!(m.ends_with("--\r\n"));
    }
}
