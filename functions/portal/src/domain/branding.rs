//! The MSP's branding from `site/branding.toml`: the one reader of that file. The site reads it when
//! it is prerendered (names, logo, colours, support contact); the functions carry it compiled in
//! (invoice PDFs, the name authenticator apps show). Change it, rebuild, redeploy.

use anyhow::{Context, bail};
use serde::Deserialize;

const BRANDING: &str = include_str!("../../../../site/branding.toml");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    /// The portal's name: headers, titles, PDF footers.
    pub name: String,
    /// The MSP's short name: the header on small screens, and what an authenticator app lists the
    /// portal's codes under.
    pub short_name: String,
    /// Path of the logo under `site/static`.
    pub logo: String,
    /// Link and focus colours of the light and dark themes, `#rrggbb`.
    pub link_light: String,
    pub link_dark: String,
    /// Primary button colour, `#rrggbb`: buttons, and the PDF's header band.
    pub button: String,
    pub support: Support,
    #[serde(default)]
    pub invoice: InvoiceBrand,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Support {
    pub phone: String,
    pub email: String,
    pub hours: String,
}

/// What invoice PDFs print under the MSP's name.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
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
        Self::parse(BRANDING)
    }

    /// Whether this is still the demo MSP this repository ships (Northwind IT, whose addresses are
    /// under the reserved `.example` domain): a production stage refuses to run with it.
    pub fn is_demo(&self) -> bool {
        self.support
            .email
            .to_ascii_lowercase()
            .ends_with(".example")
            || self.name.contains("Northwind IT")
            || self.invoice.legal_name.contains("Northwind IT")
    }

    /// `branding.toml`'s text, checked: every field known, colours `#rrggbb`.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let branding: Branding = toml::from_str(text).context("reading site/branding.toml")?;
        for (field, colour) in [
            ("link_light", &branding.link_light),
            ("link_dark", &branding.link_dark),
            ("button", &branding.button),
        ] {
            let hex = colour.strip_prefix('#').unwrap_or("");
            if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                bail!("{field} in branding.toml must be a colour like #1d4ed8, got {colour:?}");
            }
        }
        Ok(branding)
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

    #[test]
    fn the_demo_msp_is_recognised_and_a_real_one_is_not() {
        let demo = super::Branding::embedded().unwrap();
        assert!(demo.is_demo(), "the repository ships the demo MSP");
        let real = super::BRANDING
            .replace("Northwind IT Services LLC", "Contoso Managed Services Ltd")
            .replace("Northwind IT", "Contoso IT")
            .replace("support@northwind.example", "help@contoso-it.co.uk");
        assert!(!super::Branding::parse(&real).unwrap().is_demo());
        let half_done = super::BRANDING.replace("Northwind IT", "Contoso IT");
        assert!(
            super::Branding::parse(&half_done).unwrap().is_demo(),
            "demo email left"
        );
    }

    #[test]
    fn unknown_fields_and_bad_colours_are_refused() {
        let good = super::BRANDING;
        assert!(super::Branding::parse(&good.replace("button = ", "buton = ")).is_err());
        let bad = good.replace("link_dark = \"#93c5fd\"", "link_dark = \"blue\"");
        assert_ne!(bad, good);
        let err = super::Branding::parse(&bad).unwrap_err();
        assert!(format!("{err:#}").contains("link_dark"), "{err:#}");
    }
}
