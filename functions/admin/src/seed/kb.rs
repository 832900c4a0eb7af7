//! Demo knowledge base: articles every client reads (email, printing, passwords, remote work),
//! one for Acme Dental alone (its imaging printer), an internal runbook, and a draft; with votes,
//! deflections and a pin, so the home page's "most useful" and the MSP's counts show something.
//! Rendered and sanitised by the `kb` function's own renderer. Skipped when the first exists.

use time::{Duration, OffsetDateTime};

use portal::domain::kb::{Article, ArticleFields, ArticleStats, ArticleStatus, ArticleVisibility};
use portal::domain::{ArticleId, CompanyId};
use portal::store::Store;

/// id, title, category, tags, visibility (with companies), published, days ago, body,
/// (yes, no, deflections, pinned).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    (ArticleVisibility, &'static [&'static str]),
    bool,
    i64,
    &'static str,
    (u64, u64, u64, bool),
);

use ArticleVisibility::{AllClients, Companies, Internal};

#[rustfmt::skip]
const ARTICLES: &[Row] = &[
    ("kb-outlook-search", "Outlook search finds nothing", "Email and Office 365", &["outlook", "search"], (AllClients, &[]), true, 40,
     "If Outlook's search comes back empty:\n\n1. Close Outlook.\n2. Open **Control Panel → Indexing Options** and choose **Rebuild**.\n3. Leave the computer on for an hour while the index rebuilds.\n\nStill empty? Raise a ticket and we will look at your mailbox.",
     (9, 1, 4, false)),
    ("kb-printer-offline", "Printer shows as offline", "Printing", &["printer", "offline"], (AllClients, &[]), true, 30,
     "## Check the printer first\n\n- Is it switched on, with no paper jam or error on its screen?\n- Is its network cable plugged in (or its Wi-Fi light on)?\n\n## Then restart the print queue\n\nOpen **Services**, find **Print Spooler**, and choose **Restart**. Print a test page.",
     (12, 2, 6, true)),
    ("kb-password-reset", "Reset your password", "Passwords and sign-in", &["password", "account"], (AllClients, &[]), true, 60,
     "Forgot your password? On the sign-in page choose **Forgot password?**, enter your work email, and follow the link we send you. The link works for an hour.\n\nYour new password must be at least 12 characters. A short sentence is easy to remember and hard to guess.",
     (15, 0, 8, false)),
    ("kb-mfa-new-phone", "Moving your authenticator to a new phone", "Passwords and sign-in", &["mfa", "phone"], (AllClients, &[]), true, 20,
     "Before you wipe the old phone:\n\n1. Sign in to the portal and open **Account**.\n2. Under **Two-factor authentication**, turn it off and on again, scanning the new code with the new phone.\n\nLost the old phone already? Use one of your recovery codes, or call us.",
     (4, 1, 1, false)),
    ("kb-vpn", "Connect to the office from home (VPN)", "Remote work", &["vpn", "remote"], (AllClients, &[]), true, 15,
     "| Step | What to do |\n|---|---|\n| 1 | Open **GlobalProtect** from the system tray |\n| 2 | Enter `vpn.example.com` as the portal |\n| 3 | Sign in with your work account |\n\nIf it says *gateway unreachable*, check your home internet first.",
     (6, 3, 2, false)),
    ("kb-acme-imaging", "Imaging printer in surgery 2", "Printing", &["x-ray", "imaging"], (Companies, &["acme-dental"]), true, 10,
     "The x-ray printer in surgery 2 prints through the **imaging workstation**, not the practice network. If films come out blank, restart the imaging software before the printer.",
     (3, 0, 1, false)),
    ("kb-runbook-backup", "Runbook: restoring a client's NAS backup", "Runbooks", &["backup", "nas"], (Internal, &[]), true, 90,
     "Internal. Check the last good snapshot in the backup console, restore to the staging share, let the client confirm the files, then move them back. Log the time against the client's agreement.",
     (0, 0, 0, false)),
    ("kb-teams-audio", "Teams calls: nobody can hear you", "Email and Office 365", &["teams", "audio"], (AllClients, &[]), false, 2,
     "Draft: check the microphone chosen in Teams' device settings.",
     (0, 0, 0, false)),
];

/// The demo articles (as the renderer makes them) with their counters.
pub fn demo_articles(now: OffsetDateTime) -> anyhow::Result<Vec<(Article, ArticleStats)>> {
    let mut all = Vec::new();
    for &(id, title, category, tags, (visibility, companies), published, days, body, counts) in
        ARTICLES
    {
        let fields = ArticleFields {
            title: title.into(),
            category: category.into(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            body: body.into(),
            visibility,
            companies: companies
                .iter()
                .map(|c| CompanyId::parse(c))
                .collect::<Result<_, _>>()?,
        };
        let at = now - Duration::days(days);
        let html = kb::markdown::render(body);
        let text = kb::markdown::plain_text(body);
        let mut article = Article::new(
            ArticleId::parse(id)?,
            fields,
            html,
            &text,
            at,
            "Theo Technician",
        );
        if published {
            article = article.with_status(ArticleStatus::Published, at);
            article.version = 2;
        }
        let (helpful, unhelpful, deflections, pinned) = counts;
        let stats = ArticleStats {
            helpful,
            unhelpful,
            deflections,
            pinned,
            stamp: 1,
        };
        all.push((article, stats));
    }
    Ok(all)
}

pub async fn seed_articles(store: &Store, now: OffsetDateTime) -> anyhow::Result<()> {
    if store
        .get_article(&ArticleId::parse(ARTICLES[0].0)?)
        .await?
        .is_some()
    {
        return Ok(());
    }
    store.load_articles(&demo_articles(now)?).await
}
