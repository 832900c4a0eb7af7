//! The sanitiser against known cross-site scripting payloads (after the OWASP filter evasion cheat
//! sheet and html5sec.org), written as raw HTML in the Markdown and as Markdown itself; and what an
//! article may keep.

use super::*;

/// The real tags of sanitised HTML (text's `<` is escaped as `&lt;`), lowercased.
fn tags(html: &str) -> Vec<String> {
    html.split('<')
        .skip(1)
        .filter_map(|rest| rest.split_once('>').map(|(tag, _)| tag.to_lowercase()))
        .collect()
}

/// Why a sanitised tag is unsafe, if it is: an element not on the list, or an attribute that runs
/// script, restyles, or loads from a scheme other than http(s)/mailto.
fn unsafe_tag(tag: &str) -> Option<String> {
    let name = tag.trim_start_matches('/').split_whitespace().next()?;
    if name.starts_with("!--") {
        return Some("a comment".into());
    }
    if !TAGS.contains(&name) {
        return Some(format!("element {name}"));
    }
    for attribute in [
        "on",
        "style",
        "class",
        "id",
        "srcdoc",
        "formaction",
        "xlink",
        "background",
    ] {
        if tag
            .split_whitespace()
            .skip(1)
            .any(|a| a.starts_with(attribute) && (attribute != "on" || a.contains('=')))
        {
            return Some(format!("attribute {attribute}…"));
        }
    }
    ["javascript:", "vbscript:", "data:", "livescript:", "\"//"]
        .iter()
        .find(|scheme| tag.contains(*scheme))
        .map(|scheme| format!("a URL with {scheme}"))
}

const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<img src=\"jav&#x09;ascript:alert('XSS');\">",
    "<img src=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">",
    "<img \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<a href=\" javascript:alert(1)\">click</a>",
    "<a href=\"&#x6A;avascript:alert(1)\">click</a>",
    "<a href=\"java\nscript:alert(1)\">click</a>",
    "<a href=\"vbscript:msgbox(1)\">click</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">click</a>",
    "<a href=\"//evil.example/\">elsewhere</a>",
    "<a onclick=\"alert(1)\" href=\"https://ok.example\">ok</a>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<p style=\"position:fixed;top:0;left:0;width:100%;height:100%\">cover</p>",
    "<style>body{display:none}</style>",
    "<link rel=stylesheet href=\"https://evil.example/x.css\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<form action=\"javascript:alert(1)\"><input type=submit></form>",
    "<button formaction=\"javascript:alert(1)\">x</button>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=\"alert(1)\"></video>",
    "<audio src=x onerror=alert(1)>",
    "<body onload=alert(1)>",
    "<table background=\"javascript:alert(1)\"><tr><td>x</td></tr></table>",
    "<textarea autofocus onfocus=alert(1)>",
    "<p id=\"login\" class=\"danger\">spoof</p>",
    "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
    "<img src=\"https://tracker.example/pixel.gif\">",
    // Markdown's own ways to a link or an image.
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    "![x](https://tracker.example/pixel.gif)",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "[x](\"onmouseover=alert(1))",
];

#[test]
fn known_payloads_leave_nothing_that_runs_or_restyles() {
    for payload in PAYLOADS {
        let html = render(payload);
        for tag in tags(&html) {
            if let Some(why) = unsafe_tag(&tag) {
                panic!("{payload:?} rendered as {html:?}: <{tag}> has {why}");
            }
        }
    }
    // The checker itself finds what it looks for.
    assert!(unsafe_tag("img src=x onerror=alert(1)").is_some());
    assert!(unsafe_tag("a href=\"javascript:alert(1)\"").is_some());
    assert!(unsafe_tag("script").is_some());
    assert!(unsafe_tag("p style=\"x\"").is_some());
    assert_eq!(
        unsafe_tag("a href=\"https://ok.example\" rel=\"noopener noreferrer\""),
        None
    );
    // What a few of them became: the text stays, the danger goes.
    assert_eq!(
        render("[click](javascript:alert(1))"),
        "<p><a rel=\"noopener noreferrer\">click</a></p>\n"
    );
    assert_eq!(render("<img src=x onerror=alert(1)>"), "<img>");
    assert_eq!(render("<script>alert(1)</script>"), "");
}

#[test]
fn an_article_keeps_its_headings_lists_code_tables_links_and_own_images() {
    let html = render(
        "## Reset your password\n\n1. Open **Settings**\n2. Choose *Password*\n\n\
         Run `ipconfig /flushdns`, then see [the guide](https://support.example/guide) or \
         [the tickets page](/tickets/) or [below](#below).\n\n\
         ```\nping 8.8.8.8\n```\n\n| Key | Does |\n|:--|--:|\n| F5 | Refresh |\n\n\
         ![The settings screen](/api/kb/images/0123456789abcdef)\n\n> Note: ~~old~~ new.",
    );
    for expected in [
        "<h2>Reset your password</h2>",
        "<ol>",
        "<strong>Settings</strong>",
        "<em>Password</em>",
        "<code>ipconfig /flushdns</code>",
        "<a href=\"https://support.example/guide\" rel=\"noopener noreferrer\">the guide</a>",
        "<a href=\"/tickets/\" rel=\"noopener noreferrer\">the tickets page</a>",
        "<a href=\"#below\" rel=\"noopener noreferrer\">below</a>",
        "<pre><code>ping 8.8.8.8\n</code></pre>",
        "<th>Key</th>",
        "<td>Refresh</td>",
        "<img src=\"/api/kb/images/0123456789abcdef\" alt=\"The settings screen\">",
        "<blockquote>",
        "<del>old</del>",
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
}

#[test]
fn the_plain_text_is_what_a_reader_reads() {
    assert_eq!(
        plain_text("## Reset\n\nOpen **Settings**, then `Password`.\n\n- one\n- two"),
        "Reset Open Settings, then Password. one two"
    );
}
