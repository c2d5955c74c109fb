//! Tests for the HTML-to-Markdown converter: output invariants checked on every case, feature
//! cases (blocks, headings, emphasis, links, lists, tables, entities, escaping), malformed and
//! adversarial input (truncations, byte soup, deep nesting) and, when the data file is present,
//! the real Rijksoverheid Q&A set. They test only through `html_to_markdown` (plus `decode` for
//! the visible-text oracle) and must not depend on converter internals.

use super::html_to_markdown as md;

/// Output invariants that must hold for every input.
fn check(html: &str) -> String {
    let out = md(html);
    assert!(!out.contains("\n\n\n"), "3+ newlines for {html:?}: {out:?}");
    assert!(
        out.lines().all(|l| !l.ends_with(' ')),
        "trailing space: {out:?}"
    );
    assert_eq!(out, out.trim(), "untrimmed output for {html:?}");
    out
}

#[test]
fn paragraphs_and_whitespace() {
    assert_eq!(check("<p>a\n  b</p>\n\n<p> c </p>"), "a b\n\nc");
    assert_eq!(
        check("plain <span lang=\"en\">text</span><sup>e</sup>"),
        "plain texte"
    );
    assert_eq!(check("<div>x<p>y</div>z"), "x\n\ny\n\nz");
    assert_eq!(check("<p>\u{a0}lead and trail\u{a0}</p>"), "lead and trail");
    assert_eq!(check(""), "");
    assert_eq!(check("<p> </p><p></p>"), "");
}

#[test]
fn headings() {
    assert_eq!(
        check("<h1>T</h1><h2>A  b</h2><h6>z</h6>"),
        "# T\n\n## A b\n\n###### z"
    );
    assert_eq!(
        check("<p>x</p><h3>C#</h3><h3> </h3>y"),
        "x\n\n### C\\#\n\ny"
    );
    assert_eq!(check("<h2>a<br>b</h2>"), "## a b");
    assert_eq!(
        check("<h2>#</h2><h3># x ##</h3>"),
        "## \\#\n\n### \\# x \\##"
    );
}

#[test]
fn emphasis() {
    assert_eq!(
        check("<strong>b</strong> <em>i</em> <b>B</b><i>I</i>"),
        "**b** *i* **B***I*"
    );
    assert_eq!(check("a<strong> b </strong>c"), "a **b** c");
    assert_eq!(check("a<strong> </strong>b<em></em>c"), "a bc");
    assert_eq!(check("<b>x</b><b>y</b>"), "**xy**");
    assert_eq!(check("<b><b>x</b> y</b>"), "**x y**");
    assert_eq!(check("<b>x<br></b>y"), "**x**\\\ny");
    assert_eq!(check("<b><p>a</p><p>b</p></b>"), "**a**\n\n**b**");
    // Markers that CommonMark would not parse as emphasis are dropped, keeping the text.
    assert_eq!(check("machtigen<strong>. </strong>"), "machtigen.");
    assert_eq!(check("<strong>Let op:</strong> tekst"), "**Let op:** tekst");
    assert_eq!(check("<strong>Let op:</strong>tekst"), "Let op:tekst");
    assert_eq!(check("a<b>(x)</b> (<em>y</em>)"), "a(x) (*y*)");
}

#[test]
fn links() {
    let cases = [
        (
            r#"<a href="https://x.nl/">site</a>"#,
            "[site](https://x.nl/)",
        ),
        (
            r#"<a href="https://x.nl/a_b">https://x.nl/a_b</a>"#,
            "<https://x.nl/a_b>",
        ),
        (r#"<a href="https://x.nl/"></a>"#, "<https://x.nl/>"),
        (
            r#"<a href="mailto:a@x.nl">a@x.nl</a>"#,
            "[a@x.nl](mailto:a@x.nl)",
        ),
        (r#"<a href="javascript:alert(1)">click</a>"#, "click"),
        (r#"<a href=" DATA:text/html,x">d</a>"#, "d"),
        (r#"<a id="top">anchor</a>"#, "anchor"),
        (r#"<a href='/p (1)'>rel</a>"#, "[rel](/p%20%281%29)"),
        (
            r#"<a href=/x><b>bold</b> link </a>next"#,
            "[**bold** link](/x) next",
        ),
        (r#"<a href=/a>one<a href=/b>two</a>"#, "[one](/a)[two](/b)"),
        (
            r#"Wow!<a href=/a>x</a> hi!<a href=/b></a>"#,
            "Wow\\![x](/a) hi\\![/b](/b)",
        ),
        (r#"Ja!<b><a href=/a>(x)</a></b>"#, "Ja\\![(x)](/a)"),
        (
            "<a href=\"https://x.nl/?a=1&amp;b=2\">q</a>",
            "[q](https://x.nl/?a=1&b=2)",
        ),
    ];
    for (html, want) in cases {
        assert_eq!(check(html), want, "{html}");
    }
}

#[test]
fn line_breaks() {
    assert_eq!(check("<p>a<br>b<br/>c<br></p>"), "a\\\nb\\\nc");
    assert_eq!(check("<p><br>a<br><br>b</p>"), "a\\\n\\\nb");
    assert_eq!(check("<p>a<br>1. b</p>"), "a\\\n1\\. b");
}

#[test]
fn lists() {
    let html = "<p>Intro:</p><ul>\n <li>one;</li>\n <li>two\n<ol><li>x</li><li>y</li></ol></li></ul><p>End</p>";
    assert_eq!(
        check(html),
        "Intro:\n\n- one;\n- two\n  1. x\n  2. y\n\nEnd"
    );
    assert_eq!(
        check("<ol><li>a<li>b<ul><li>c</ul><li>d</ol>"),
        "1. a\n2. b\n   - c\n3. d"
    );
    assert_eq!(
        check("<ul><li><p>p1</p><p>p2</p></li></ul>"),
        "- p1\n\n  p2"
    );
    assert_eq!(
        check("<ul><li><ul><li>deep</li></ul></li></ul>"),
        "- - deep"
    );
    assert_eq!(
        check("<li>orphan</li><ul><li></li><li> </li></ul>"),
        "- orphan"
    );
    assert_eq!(check("<p>a</p><ol><li> </li><li>b</li></ol>"), "a\n\n1. b");
    assert_eq!(check("<ul><li>a<br>b</li></ul>"), "- a\\\n  b");
    let adjacent = "<ul><li>a</li></ul><ul></ul><ul><li>b</li></ul><ol><li>c</li></ol>";
    assert_eq!(check(adjacent), "- a\n\n* b\n\n1. c");
}

#[test]
fn tables() {
    let html = "<table><caption>Cap</caption><thead><tr><th scope=\"col\">A</th><th>B|C</th></tr></thead>\
                <tbody><tr><td><p>1</p></td><td>2 <a href=\"mailto:x@y.nl\">x@y.nl</a></td></tr><tr><td>3</td></tr></tbody></table><p>after</p>";
    assert_eq!(
        check(html),
        "Cap\n\n| A | B\\|C |\n|---|---|\n| 1 | 2 [x@y.nl](mailto:x@y.nl) |\n| 3 |\n\nafter"
    );
    assert_eq!(
        check("<table><tr><td>h1<td>h2<tr><td>v</table>"),
        "| h1 | h2 |\n|---|---|\n| v |"
    );
    let nested =
        "<table><tr><td>a<table><tr><td>b</td><td>c</td></tr></table></td><td>d</td></tr></table>";
    assert_eq!(check(nested), "| a b c | d |\n|---|---|");
    assert_eq!(
        check("<ul><li>in list<table><tr><th>h</th></tr></table></li></ul>"),
        "- in list\n\n  | h |\n  |---|"
    );
    assert_eq!(check("<table></table><td>x</td>"), "x");
}

#[test]
fn dropped_and_unknown_content() {
    assert_eq!(
        check("a<script>if (a<b) x();</script>b<style>p{}</style>c<!-- no -->d"),
        "abcd"
    );
    assert_eq!(
        check("<iframe src=x>fallback</iframe>e<SCRIPT>x</script >f"),
        "ef"
    );
    assert_eq!(
        check("<custom-el x=1>kept</custom-el><?php x ?><!doctype html>!"),
        "kept!"
    );
    assert_eq!(check("a<script>never closed"), "a");
}

#[test]
fn entities() {
    assert_eq!(
        check("it&#39;s &amp; &quot;q&quot; &lt;b&gt; a&nbsp;b &#x2F; &#8364; &euro;"),
        "it's & \"q\" \\<b> a\u{a0}b / € €"
    );
    assert_eq!(
        check("&#150; &#0; &#x110000; &#99999999999; &bogus; & &#; &amp"),
        "– \u{fffd} \u{fffd} \u{fffd} \\&bogus; & \\&#; \\&amp"
    );
    assert_eq!(check("&amp;amp; &amp;#39;"), "\\&amp; \\&#39;");
}

#[test]
fn escaping() {
    assert_eq!(
        check("<p>1. not a list</p><p># no</p><p>- no</p><p>+ x</p><p>&gt; q</p>"),
        "1\\. not a list\n\n\\# no\n\n\\- no\n\n\\+ x\n\n\\> q"
    );
    assert_eq!(
        check("a *b* _c_ [d] \\ `e` ~f < g"),
        "a \\*b\\* \\_c\\_ \\[d\\] \\\\ \\`e\\` \\~f \\< g"
    );
    assert_eq!(
        check("Prijs: € 67,05. Klaar. Café (zie 2.)"),
        "Prijs: € 67,05. Klaar. Café (zie 2.)"
    );
    assert_eq!(check("<ul><li>2024. jaar</li></ul>"), "- 2024\\. jaar");
}

#[test]
fn malformed_input() {
    let cases = [
        ("<p>unclosed <b>bold <i>both", "unclosed **bold *both***"),
        ("a < b and c<d", "a \\< b and c"),
        ("5 <3 and x</p", "5 \\<3 and x"),
        ("text <a", "text"),
        ("text <a href=\"unterminated>more", "text"),
        ("</p></li></ul></table></b>x</a></td>", "x"),
        ("<p class=x id='y' data-z=\"w\" disabled>ok</p>", "ok"),
        ("<P CLASS=X>Up</P><BR>", "Up"),
        ("<b/>x<p/>y", "x\n\ny"),
        ("<é>é</é> <a href=€>€</a> <p\u{a0}>", "\\<é>é [€](€)"),
        ("<b><i>x</b></i>y", "***x***y"),
        ("</>a<//b>c<!-- x", "ac"),
    ];
    for (html, want) in cases {
        assert_eq!(check(html), want, "{html}");
    }
}

#[test]
fn every_truncation_and_byte_soup_is_safe() {
    let sample = "<p>Prijs € 5 &amp; &#x20AC;<a href='https://é.nl/?q=1'>link é</a><br/></p><ul><li>x<ol><li>y</ol></li></ul>\
                  <table><caption>c</caption><tr><th>h</th></tr><tr><td>d|e</td></tr></table><!-- c --><script>s</script>";
    for (i, _) in sample.char_indices() {
        check(&sample[..i]);
        check(&sample[i..]);
    }
    let mut seed = 0x2545_f491_u32;
    let pieces = [
        "<", ">", "/", "</", "li>", "ul>", "a href=", "\"", "'", "&", "#", ";", "é", "€", " ",
        "b>", "td>", "tr>", "table>", "p>", "br>", "x", "!--", "-->", "h2>", "=", "caption>", "\n",
    ];
    for _ in 0..2000 {
        let mut s = String::new();
        for _ in 0..40 {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            s.push_str(pieces[seed as usize % pieces.len()]);
        }
        check(&s);
    }
}

#[test]
fn deep_nesting_is_fast_and_stack_safe() {
    let start = std::time::Instant::now();
    let (deep, long) = (100_000, 20_000);
    assert_eq!(check(&("<ul>".repeat(deep) + "x")), "x");
    assert!(check(&("<ul><li>".repeat(deep) + "x")).starts_with("- - - "));
    let cases = [
        "<ol><li><p>".repeat(deep) + "x",
        "<b><i><a href=/x>".repeat(deep) + "y",
        "<div><span>".repeat(deep) + "z" + &"</span></div>".repeat(deep),
        "<table><tr><td>".repeat(deep) + "t",
        "<ul><li>x".repeat(long),
        "<b>".repeat(long) + &"<p>q</p>".repeat(long),
        "<li>".repeat(long) + &"</zz>".repeat(long),
        "<b>x</b>".repeat(long) + &"<em>x.</em>y".repeat(long),
    ];
    for html in &cases {
        assert!(check(html).len() < 20 * html.len());
    }
    let elapsed = start.elapsed();
    assert!(elapsed.as_secs() < 20, "too slow: {elapsed:?}");
}

#[test]
fn real_data_converts_cleanly() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/rijksoverheid-vac/rijksoverheid_vacs_raw.jsonl"
    );
    let Ok(data) = std::fs::read_to_string(path) else {
        eprintln!("skipping: {path} not found");
        return;
    };
    let mut fragments = 0;
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
        let mut html: Vec<&str> = v["introduction"].as_str().into_iter().collect();
        if let Some(content) = v["content"].as_array() {
            html.extend(content.iter().filter_map(|c| c["paragraph"].as_str()));
        }
        for h in html {
            fragments += 1;
            let out = check(h);
            assert!(
                !out.contains("</") && !out.contains("<p>") && !out.contains("<li"),
                "{out}"
            );
            assert!(
                !out.contains("&#") && !out.contains("&amp;"),
                "undecoded entity: {out}"
            );
            // Every word of the visible text survives, in order.
            let visible: Vec<&str> = h
                .split('<')
                .map(|p| p.split_once('>').map_or(p, |t| t.1))
                .collect();
            let visible = super::tokenizer::decode(&visible.join(" "));
            let mut rest = out.as_str();
            for word in visible
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
            {
                let at = rest
                    .find(word)
                    .unwrap_or_else(|| panic!("lost {word:?}: {h}\n{out}"));
                rest = &rest[at + word.len()..];
            }
        }
    }
    assert!(fragments > 100, "only {fragments} fragments");
}
