//! The MSP's branding from `site/branding.toml`, compiled into the functions when they are built
//! (invoice PDFs, the name authenticator apps show). The site reads the same file when it is
//! prerendered; change it, rebuild, redeploy.

use anyhow::Context;
use serde::Deserialize;

const BRANDING: &str = include_str!("../../../../site/branding.toml");

#[derive(Clone, Debug, Deserialize)]
pub struct Branding {
    /// The portal's name: headers, PDF footers.
    pub name: String,
    /// The MSP's short name: what an authenticator app lists the portal's codes under.
    pub short_name: String,
    /// Primary button colour, `#rrggbb`: the PDF's header band.
    pub button: String,
    pub support: Support,
    #[serde(default)]
    pub invoice: InvoiceBrand,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Support {
    pub phone: String,
    pub email: String,
}

/// What invoice PDFs print under the MSP's name.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct InvoiceBrand {
    #[serde(default)]
    pub legal_name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub tax_id: String,
    #[serde(default)]
    pub payment_instructions: String,
}

impl Branding {
    /// The branding this build carries.
    pub fn embedded() -> anyhow::Result<Self> {
        toml::from_str(BRANDING).context("reading site/branding.toml")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_branding_reads() {
        let brand = super::Branding::embedded().unwrap();
        assert!(!brand.name.is_empty() && !brand.short_name.is_empty());
        assert!(brand.button.starts_with('#'));
    }
}
