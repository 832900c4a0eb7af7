//! The layout and the components pages are made of. Components are types implementing `Render`.

use maud::{DOCTYPE, Markup, PreEscaped, Render, html};

use crate::Branding;

/// A link in the main navigation, shown only to users holding `capability` (the site reveals it
/// after `GET /api/me`; the API enforces the same rule).
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub capability: Option<&'static str>,
}

/// Who sees ticket lists: any of these capabilities (`data-capability` takes a space-separated
/// list, any of which reveals the element).
pub const TICKET_VIEWERS: &str = "view_company_tickets view_own_tickets all_companies";

/// The main navigation. Pages are added here as features land.
pub const NAV: &[NavItem] = &[
    NavItem {
        href: "/",
        label: "Home",
        capability: None,
    },
    NavItem {
        href: "/tickets/",
        label: "Tickets",
        capability: Some(TICKET_VIEWERS),
    },
    NavItem {
        href: "/projects/",
        label: "Projects",
        capability: Some("view_projects"),
    },
    NavItem {
        href: "/configurations/",
        label: "Configurations",
        capability: None,
    },
    NavItem {
        href: "/documents/",
        label: "Documents",
        capability: None,
    },
    NavItem {
        href: "/kb/",
        label: "Knowledge base",
        capability: Some("read_knowledge_base"),
    },
    NavItem {
        href: "/agreements/",
        label: "Agreements",
        capability: Some("view_hours_left"),
    },
    NavItem {
        href: "/invoices/",
        label: "Invoices",
        capability: Some("view_invoices"),
    },
    NavItem {
        href: "/quotes/",
        label: "Quotes",
        capability: Some("approve_quotes manage_billing"),
    },
    NavItem {
        href: "/billing/",
        label: "Receivables",
        capability: Some("manage_billing"),
    },
    NavItem {
        href: "/reports/",
        label: "Reports",
        capability: Some("view_reports"),
    },
    NavItem {
        href: "/users/",
        label: "Users",
        capability: Some("manage_users"),
    },
    NavItem {
        href: "/companies/",
        label: "Companies",
        capability: Some("all_companies"),
    },
    NavItem {
        href: "/audit/",
        label: "Audit trail",
        capability: Some("view_audit"),
    },
    NavItem {
        href: "/settings/tickets/",
        label: "Settings",
        capability: Some("manage_settings"),
    },
];

/// Which kind of page: signed-in pages get the navigation and user menu.
pub enum Chrome {
    /// `requires`: the capabilities (space-separated, any of them) without which the page shows
    /// only "You don't have access to this page" (shell.js checks them against `/api/me` before
    /// the page shows anything or asks the API for anything).
    SignedIn {
        current: &'static str,
        requires: Option<&'static str>,
    },
    Public,
}

pub struct Brand<'a>(pub &'a Branding);

impl Render for Brand<'_> {
    fn render(&self) -> Markup {
        html! {
            a.brand href="/" {
                img src={ "/" (self.0.logo) } alt="" width="32" height="32";
                span.long { (self.0.name) }
                span.short { (self.0.short_name) }
            }
        }
    }
}

struct UserMenu;

impl Render for UserMenu {
    fn render(&self) -> Markup {
        html! {
            details.dropdown #user-menu {
                summary { span data-me="name" { "Account" } }
                ul dir="rtl" {
                    li.menu-text {
                        strong data-me="name" { "Account" }
                        small data-me="email" {}
                        small data-me="company" {}
                        small data-me="role" {}
                    }
                    li {
                        fieldset.theme-choice {
                            legend { "Theme" }
                            @for (value, label) in [("light", "Light"), ("dark", "Dark"), ("system", "System")] {
                                label {
                                    input type="radio" name="theme" value=(value);
                                    (label)
                                }
                            }
                        }
                    }
                    li { a href="/account/" { "My account" } }
                    li { button.secondary #sign-out type="button" { "Sign out" } }
                }
            }
        }
    }
}

struct Nav {
    current: &'static str,
}

impl Render for Nav {
    fn render(&self) -> Markup {
        html! {
            ul #main-nav {
                @for item in NAV {
                    li data-capability=[item.capability] hidden[item.capability.is_some()] {
                        a href=(item.href) aria-current=[(item.href == self.current).then_some("page")] { (item.label) }
                    }
                }
            }
        }
    }
}

/// How to reach the MSP's support: "Call {phone} or email {address}", both as links.
pub struct SupportContact<'a>(pub &'a Branding);

impl Render for SupportContact<'_> {
    fn render(&self) -> Markup {
        let support = &self.0.support;
        html! {
            "Call " a href={ "tel:" (support.phone.replace(' ', "")) } { (support.phone) }
            " or email " a href={ "mailto:" (support.email) } { (support.email) }
        }
    }
}

/// A form field: its label, the control, an optional help line, and the error line the scripts
/// fill, tied to the control with `aria-describedby` (help first). Built as
/// `Field::input("email", "Email", "email").autocomplete("username").required()`.
pub struct Field<'a> {
    name: &'a str,
    label: &'a str,
    control: Control<'a>,
    autocomplete: Option<&'a str>,
    inputmode: Option<&'a str>,
    required: bool,
    help: Option<&'a str>,
    maxlength: Option<u32>,
    min: Option<i64>,
    max: Option<i64>,
}

enum Control<'a> {
    Input(&'a str),
    Textarea(u32),
    /// Options `(value, label)`, and the value shown selected.
    Select(Vec<(String, String)>, Option<&'a str>),
}

impl<'a> Field<'a> {
    fn new(name: &'a str, label: &'a str, control: Control<'a>) -> Self {
        Self {
            name,
            label,
            control,
            autocomplete: None,
            inputmode: None,
            required: false,
            help: None,
            maxlength: None,
            min: None,
            max: None,
        }
    }

    /// An `<input type=kind>`.
    pub fn input(name: &'a str, label: &'a str, kind: &'a str) -> Self {
        Self::new(name, label, Control::Input(kind))
    }

    pub fn textarea(name: &'a str, label: &'a str, rows: u32) -> Self {
        Self::new(name, label, Control::Textarea(rows))
    }

    /// A `<select>` of `(value, label)` options (the scripts may fill more).
    pub fn select<V: AsRef<str>, L: AsRef<str>>(
        name: &'a str,
        label: &'a str,
        options: &[(V, L)],
    ) -> Self {
        let options = options
            .iter()
            .map(|(v, l)| (v.as_ref().to_owned(), l.as_ref().to_owned()))
            .collect();
        Self::new(name, label, Control::Select(options, None))
    }

    pub fn selected(mut self, value: &'a str) -> Self {
        if let Control::Select(_, selected) = &mut self.control {
            *selected = Some(value);
        }
        self
    }

    pub fn autocomplete(mut self, value: &'a str) -> Self {
        self.autocomplete = Some(value);
        self
    }

    pub fn inputmode(mut self, value: &'a str) -> Self {
        self.inputmode = Some(value);
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// A line under the control saying what to enter.
    pub fn help(mut self, text: &'a str) -> Self {
        self.help = Some(text);
        self
    }

    pub fn maxlength(mut self, n: u32) -> Self {
        self.maxlength = Some(n);
        self
    }

    /// The range of a number input.
    pub fn range(mut self, min: i64, max: i64) -> Self {
        self.min = Some(min);
        self.max = Some(max);
        self
    }
}

impl Render for Field<'_> {
    fn render(&self) -> Markup {
        let name = self.name;
        let help_id = format!("{name}-help");
        let error_id = format!("{name}-error");
        let described = match self.help {
            Some(_) => format!("{help_id} {error_id}"),
            None => error_id.clone(),
        };
        html! {
            label for=(name) { (self.label) }
            @match &self.control {
                Control::Input(kind) => {
                    input id=(name) name=(name) type=(kind) autocomplete=[self.autocomplete]
                        inputmode=[self.inputmode] min=[self.min] max=[self.max]
                        maxlength=[self.maxlength] required[self.required]
                        aria-describedby=(described);
                }
                Control::Textarea(rows) => {
                    textarea id=(name) name=(name) rows=(rows) maxlength=[self.maxlength]
                        required[self.required] aria-describedby=(described) {}
                }
                Control::Select(options, selected) => {
                    select id=(name) name=(name) required[self.required] aria-describedby=(described) {
                        @for (value, text) in options {
                            option value=(value) selected[Some(value.as_str()) == *selected] { (text) }
                        }
                    }
                }
            }
            @if let Some(help) = self.help { small id=(help_id) { (help) } }
            small.field-error id=(error_id) {}
        }
    }
}

/// A table's scroll region: on small screens a wide table scrolls here rather than the whole page.
/// It takes focus so the keyboard can scroll it; `caption` is the id of the table's caption, which
/// names the region.
pub fn scroll_region(caption: &str, table: Markup) -> Markup {
    html! {
        div.table-scroll role="region" aria-labelledby=(caption) tabindex="0" { (table) }
    }
}

/// The lines of the invoice and quote editors (filled by `js/line-editor.js`): a table of rows
/// made from the `#line-row` template, each with its description, quantity, unit price, amount and
/// a Remove button, and for quotes how often the line is charged.
pub struct LineEditor<'a> {
    pub caption: &'a str,
    pub recurrence: bool,
}

impl Render for LineEditor<'_> {
    fn render(&self) -> Markup {
        html! {
            fieldset {
                legend { "Lines" }
                p.form-error #lines-error role="alert" {}
                (scroll_region("line-table-caption", html! {
                    table #line-table {
                        caption.visually-hidden #line-table-caption { (self.caption) }
                        thead { tr {
                            th scope="col" { "Description" }
                            @if self.recurrence { th scope="col" { "Charged" } }
                            th scope="col" { "Quantity" } th scope="col" { "Unit price" }
                            th.num scope="col" { "Amount" } th scope="col" { span.visually-hidden { "Remove" } }
                        } }
                        tbody {}
                    }
                }))
                button.secondary #add-line type="button" { "Add a line" }
            }
            template #line-row {
                tr {
                    td {
                        input data-l="description" type="text" maxlength="500" aria-label="Description";
                        small.field-error data-e="description" {}
                    }
                    @if self.recurrence {
                        td {
                            select data-l="recurrence" aria-label="Charged" {
                                option value="one_time" { "One-off" }
                                option value="monthly" { "Monthly" }
                                option value="annually" { "Annually" }
                            }
                        }
                    }
                    td {
                        input data-l="quantity" type="text" inputmode="decimal" value="1" aria-label="Quantity";
                        small.field-error data-e="quantity" {}
                    }
                    td {
                        input data-l="unit_price" type="text" inputmode="decimal" aria-label="Unit price";
                        small.field-error data-e="unit_price" {}
                    }
                    td.num data-l="amount" {}
                    td { button.secondary.compact data-l="remove" type="button" { "Remove" } }
                }
            }
        }
    }
}

/// A paginated table filled by `js/list.js`: `#{id}-table` with caption `#{id}-caption`, a row
/// `<template id="{id}-row">` whose cells are named by `data-field`, an error line and a "Show more"
/// button.
pub struct ListTable<'a> {
    pub id: &'a str,
    pub caption: &'a str,
    /// `(field, column heading)`.
    pub columns: &'a [(&'a str, &'a str)],
}

impl Render for ListTable<'_> {
    fn render(&self) -> Markup {
        html! {
            p.form-error id={ (self.id) "-error" } role="alert" {}
            (scroll_region(&format!("{}-caption", self.id), html! {
                table id={ (self.id) "-table" } aria-busy="true" {
                    caption id={ (self.id) "-caption" } { (self.caption) }
                    thead { tr { @for (_, heading) in self.columns { th scope="col" { (heading) } } } }
                    tbody {}
                }
            }))
            template id={ (self.id) "-row" } {
                // `data-label`: the column's heading, which a row shown as a card on a phone
                // puts before each value.
                tr { @for (field, heading) in self.columns { td data-field=(field) data-label=(heading) {} } }
            }
            button.secondary id={ (self.id) "-more" } type="button" hidden { "Show more" }
        }
    }
}

/// What a signed-in user sees on a page their role may not use: one clear state and a way home.
struct NoAccess;

impl Render for NoAccess {
    fn render(&self) -> Markup {
        html! {
            section #no-access hidden aria-labelledby="no-access-heading" {
                h1 #no-access-heading { "You don't have access to this page" }
                p { "Your role in the portal does not include it. Ask your administrator if you need it." }
                p { a href="/" { "Go to the home page" } }
            }
        }
    }
}

/// The modules `entry` imports, directly or not (`site/static/js`, `from './x.js'` and
/// `import './x.js'`), in a stable order.
fn module_graph(entry: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static/js");
    let mut seen: Vec<String> = Vec::new();
    let mut queue = vec![entry.to_owned()];
    while let Some(module) = queue.pop() {
        let Ok(text) = std::fs::read_to_string(dir.join(&module)) else {
            continue;
        };
        for line in text
            .lines()
            .filter(|l| l.starts_with("import ") || l.starts_with("} from "))
        {
            let Some(name) = line
                .split(['\'', '"'])
                .nth(1)
                .and_then(|spec| spec.strip_prefix("./"))
            else {
                continue;
            };
            if name != entry && !seen.iter().any(|s| s == name) {
                seen.push(name.to_owned());
                queue.push(name.to_owned());
            }
        }
    }
    seen.sort();
    seen
}

/// The one layout of every page. `script` is the page's ES module (no inline script anywhere: the
/// CSP forbids it).
pub fn page(
    branding: &Branding,
    title: &str,
    chrome: Chrome,
    script: &str,
    body: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                title { (title) " · " (branding.name) }
                link rel="icon" href={ "/" (branding.logo) };
                link rel="stylesheet" href="/vendor/pico.min.css";
                link rel="stylesheet" href="/brand.css";
                link rel="stylesheet" href="/app.css";
                script type="module" src={ "/js/" (script) } {}
                // The whole module graph at once, not one import level per round trip; and for
                // signed-in pages /api/me, which shell.js asks for first (the same request:
                // same-origin credentials, CORS mode), so it starts with the page.
                @for module in module_graph(script) {
                    link rel="modulepreload" href={ "/js/" (module) };
                }
                @if let Chrome::SignedIn { .. } = chrome {
                    link rel="preload" href="/api/me" as="fetch" crossorigin="anonymous";
                }
                // The labels of every status, role and action, from the Rust enums: the scripts
                // read them here (js/labels.js). A data block, not a script: the CSP allows it.
                script type="application/json" #portal-labels { (PreEscaped(labels_json())) }
            }
            body {
                a.skip-link href="#main" { "Skip to content" }
                header.site.container {
                    // The top bar: the brand, and the account menu once signed in. The main
                    // navigation has a row of its own, so any number of entries fits.
                    nav.topbar aria-label="Account" {
                        ul { li { (Brand(branding)) } }
                        @if let Chrome::SignedIn { .. } = chrome {
                            ul { li { (UserMenu) } }
                        }
                    }
                    @if let Chrome::SignedIn { current, .. } = chrome {
                        nav.main-nav aria-label="Main" { (Nav { current }) }
                    }
                }
                @if let Chrome::SignedIn { requires: Some(requires), .. } = chrome {
                    main.container #main tabindex="-1" data-requires=(requires) {
                        div #page-body hidden { (body) }
                        (NoAccess)
                    }
                } @else {
                    main.container #main tabindex="-1" { (body) }
                }
                footer.site.container {
                    p.muted {
                        "Need help? " (SupportContact(branding)) " (" (branding.support.hours) ")."
                    }
                }
            }
        }
    }
}

/// `portal::domain::labels::labels()` as JSON safe inside a `<script>` data block.
fn labels_json() -> String {
    serde_json::to_string(&portal::domain::labels::labels())
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
}
