//! Loading the content model. Every validation rule in `src/model/load.rs` has
//! an invalid fixture under `tests/fixtures/models/<rule>/` (a small, complete
//! model with exactly one thing wrong, described in its README) and a test
//! here that asserts the message: the file, the key and the problem.
//! `tests/fixtures/models/valid/` is the model every fixture is a copy of.

use std::path::PathBuf;

use bron::model::{ChannelStyle, ContentModel, FieldKind, Syntax};

use crate::support::repo;

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/models").join(name)
}

/// Loads a fixture that must be invalid and returns its problems.
fn problems(name: &str) -> Vec<String> {
    match ContentModel::load(&fixture(name)) {
        Ok(_) => panic!("the fixture {name} loaded, but it is meant to be invalid"),
        Err(e) => e.problems,
    }
}

/// The problems of a fixture that must have exactly `n` of them.
fn n_problems(name: &str, n: usize) -> Vec<String> {
    let p = problems(name);
    assert_eq!(p.len(), n, "{name}: expected {n} problem(s), got {p:#?}");
    p
}

/// The start of a message about `key` in `file` of a fixture, as load.rs
/// writes it: `<dir>/<file>: <key>: `.
fn at(name: &str, file: &str, key: &str) -> String {
    format!("{}/{file}: {key}: ", fixture(name).display())
}

/// The start of a parse error in `file` of a fixture: `<dir>/<file> (line N): `.
fn at_line(name: &str, file: &str, line: usize) -> String {
    format!("{}/{file} (line {line}): ", fixture(name).display())
}

fn assert_problem(problem: &str, start: &str, parts: &[&str]) {
    assert!(
        problem.starts_with(start),
        "expected the problem to start with {start:?}, got {problem:?}"
    );
    for part in parts {
        assert!(problem.contains(part), "expected {part:?} in {problem:?}");
    }
}

/// Asserts the fixture has exactly one problem, that it starts with `start`
/// and that it contains every one of `parts`.
fn one_problem(name: &str, start: &str, parts: &[&str]) {
    let p = n_problems(name, 1);
    assert_problem(&p[0], start, parts);
}

// ---------------------------------------------------------------------------
// Valid models

#[test]
fn shipped_model_loads() {
    let model = ContentModel::load(&repo().join("content-model")).unwrap_or_else(|e| panic!("{e}"));
    for t in ["product", "question", "step", "condition", "fact"] {
        assert!(model.get(t).is_some(), "{t} missing");
    }
    let channels: Vec<_> = model.channels.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(channels, ["web", "chatbot", "kcc", "letter"]);
    assert_eq!(
        model.internal_channels().into_iter().collect::<Vec<_>>(),
        ["kcc"]
    );
    let product = model.get("product").unwrap();
    assert_eq!(product.title_field, "title");
    assert!(product.field("desk_memo").unwrap().internal);
    assert_eq!(product.field("steps").unwrap().to.as_deref(), Some("step"));
    assert!(model.vocabularies["upl"].entries.len() > 1000);
}

#[test]
fn shipped_model_has_channel_styles_routes_and_rendering_hints() {
    let model = ContentModel::load(&repo().join("content-model")).unwrap_or_else(|e| panic!("{e}"));
    let channel = |name: &str| {
        model
            .channels
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("channel {name} missing"))
    };
    let web = channel("web");
    assert_eq!(web.style, ChannelStyle::Web);
    assert_eq!(web.heading_level, 1);
    assert_eq!(web.item_url.as_deref(), Some("/{plural}/{slug}"));
    let chatbot = channel("chatbot");
    assert_eq!(chatbot.style, ChannelStyle::Chatbot);
    assert_eq!(chatbot.max_length, Some(600));

    assert_eq!(model.organisation.name, "Gemeente Lindewaard");
    let desk = model.routes["nl"].desk.as_deref().expect("routes.nl.desk");
    assert!(desk.contains("{{fact:"), "{desk}");

    let product = model.get("product").unwrap();
    assert_eq!(product.summary_field.as_deref(), Some("summary"));
    assert!(product.field("steps").unwrap().embed);
    let rule = model.get("condition").unwrap().field("rule").unwrap();
    assert_eq!(rule.syntax, Some(Syntax::Rule));
}

#[test]
fn valid_fixture_loads() {
    // Every invalid fixture is this model with one thing changed.
    let model = ContentModel::load(&fixture("valid")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(model.types.keys().collect::<Vec<_>>(), ["block", "page"]);
    let page = model.get("page").unwrap();
    assert_eq!(page.plural, "pages");
    assert_eq!(page.title_field, "title");
    assert_eq!(page.field("blocks").unwrap().kind, FieldKind::Reference);
    assert_eq!(model.get("block").unwrap().title_field, "heading");
    let channels: Vec<_> = model.channels.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(channels, ["web", "kcc"]);
    assert!(model.channels[1].internal);
}

#[test]
fn every_invalid_fixture_is_rejected_and_tested() {
    let this_file = include_str!("model.rs");
    let mut names: Vec<String> = std::fs::read_dir(repo().join("tests/fixtures/models"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "valid")
        .collect();
    names.sort();
    assert!(names.len() > 40, "fixtures missing: {names:?}");
    for name in names {
        assert!(!problems(&name).is_empty(), "{name}: no problems");
        assert!(
            this_file.contains(&format!("\"{name}\"")),
            "the fixture {name} has no test in tests/it/model.rs"
        );
    }
}

// ---------------------------------------------------------------------------
// The directory

#[test]
fn rejects_a_directory_that_does_not_exist() {
    let dir = fixture("does-not-exist");
    assert!(!dir.exists());
    let err = ContentModel::load(&dir).unwrap_err();
    assert_eq!(err.problems.len(), 1, "{err}");
    assert_problem(
        &err.problems[0],
        &format!("{}: ", dir.display()),
        &["cannot read the content-model directory"],
    );
}

#[test]
fn rejects_a_model_without_types() {
    let dir = fixture("no-types");
    one_problem(
        "no-types",
        &format!("{}: ", dir.display()),
        &["no content types; add one file per type, e.g. product.toml"],
    );
}

#[test]
fn rejects_an_unreadable_type_file() {
    one_problem(
        "unreadable-type-file",
        &format!("{}/notes.toml: ", fixture("unreadable-type-file").display()),
        &["cannot read: ", "valid UTF-8"],
    );
}

#[test]
fn rejects_an_unreadable_vocabulary() {
    one_problem(
        "unreadable-vocabulary",
        &format!(
            "{}/vocabularies/colours.tsv: ",
            fixture("unreadable-vocabulary").display()
        ),
        &["cannot read: ", "valid UTF-8"],
    );
}

// ---------------------------------------------------------------------------
// Parsing: syntax errors and unknown or mistyped keys name the file and line

#[test]
fn rejects_a_toml_syntax_error() {
    one_problem(
        "toml-syntax-error",
        &at_line("toml-syntax-error", "page.toml", 2),
        &["string values must be quoted"],
    );
}

#[test]
fn rejects_an_unknown_key_in_a_type() {
    one_problem(
        "unknown-type-key",
        &at_line("unknown-type-key", "page.toml", 2),
        &["unknown field `lable`", "expected one of", "`label`"],
    );
}

#[test]
fn rejects_an_unknown_key_in_a_field() {
    // Line 17 is `maxlength = 4000` in fields[1] (body). The message names the
    // line but not the field.
    one_problem(
        "unknown-field-key",
        &at_line("unknown-field-key", "page.toml", 17),
        &["unknown field `maxlength`", "`max_length`"],
    );
}

#[test]
fn rejects_an_unknown_key_in_channels() {
    // Only the parse problem: a channels.toml that does not parse does not
    // also produce "no channels" or "unknown channel" problems.
    one_problem(
        "unknown-channels-key",
        &at_line("unknown-channels-key", "channels.toml", 3),
        &["unknown field `lable`", "`label`"],
    );
}

#[test]
fn rejects_a_field_without_kind() {
    // Line 13 is the `[[fields]]` header of fields[1] (body).
    one_problem(
        "missing-field-kind",
        &at_line("missing-field-kind", "page.toml", 13),
        &["missing field `kind`"],
    );
}

#[test]
fn rejects_a_value_of_the_wrong_type() {
    one_problem(
        "wrong-value-type",
        &at_line("wrong-value-type", "page.toml", 10),
        &["invalid type: string \"yes\", expected a boolean"],
    );
}

// ---------------------------------------------------------------------------
// Types

#[test]
fn rejects_a_duplicate_type_name() {
    // Two files in one directory cannot have the same stem, so the name rule
    // alone would make duplicates impossible. load.rs takes the stem with
    // `trim_end_matches(".toml")`, though, so `block.toml.toml` has the stem
    // `block` and may declare `block` a second time.
    let dir = fixture("duplicate-type-name");
    one_problem(
        "duplicate-type-name",
        &at("duplicate-type-name", "block.toml.toml", "name"),
        &[&format!(
            "duplicate type name `block`, already declared in {}/block.toml",
            dir.display()
        )],
    );
}

#[test]
fn rejects_a_type_name_that_differs_from_its_file_name() {
    one_problem(
        "type-name-not-file-name",
        &at("type-name-not-file-name", "page.toml", "name"),
        &["the type `article` must live in a file named article.toml"],
    );
}

#[test]
fn rejects_an_invalid_type_name() {
    one_problem(
        "invalid-type-name",
        &at("invalid-type-name", "my-page.toml", "name"),
        &["`my-page` is not a valid type name"],
    );
}

#[test]
fn rejects_an_invalid_plural() {
    one_problem(
        "invalid-plural",
        &at("invalid-plural", "page.toml", "plural"),
        &["`Pages` must be a valid name that differs from `page`"],
    );
}

#[test]
fn rejects_a_plural_equal_to_the_name() {
    one_problem(
        "plural-same-as-name",
        &at("plural-same-as-name", "page.toml", "plural"),
        &["`page` must be a valid name that differs from `page`"],
    );
}

#[test]
fn rejects_a_type_without_fields() {
    // Without fields there is no title field either; both are reported.
    let p = n_problems("type-without-fields", 2);
    assert_problem(
        &p[0],
        &at("type-without-fields", "block.toml", "fields"),
        &["a type needs at least one field"],
    );
    assert_problem(
        &p[1],
        &at("type-without-fields", "block.toml", "title_field"),
        &["no text field to use as its title"],
    );
}

// ---------------------------------------------------------------------------
// Fields

#[test]
fn rejects_an_unknown_field_kind() {
    one_problem(
        "unknown-field-kind",
        &at("unknown-field-kind", "page.toml", "fields[1] (body).kind"),
        &[
            "unknown field kind `string`",
            "known kinds: text, markdown, integer",
        ],
    );
}

#[test]
fn rejects_a_duplicate_field_name() {
    one_problem(
        "duplicate-field-name",
        &at("duplicate-field-name", "page.toml", "fields[3] (body).name"),
        &["duplicate field name `body`"],
    );
}

#[test]
fn rejects_an_invalid_field_name() {
    one_problem(
        "invalid-field-name",
        &at("invalid-field-name", "page.toml", "fields[1] (Body).name"),
        &["`Body` is not a valid field name"],
    );
}

#[test]
fn rejects_a_reserved_field_name() {
    one_problem(
        "reserved-field-name",
        &at("reserved-field-name", "page.toml", "fields[3] (slug).name"),
        &["`slug` is reserved: every item already has it"],
    );
}

#[test]
fn rejects_max_length_on_a_boolean() {
    one_problem(
        "max-length-on-boolean",
        &at(
            "max-length-on-boolean",
            "page.toml",
            "fields[3] (featured).max_length",
        ),
        &["only applies to text, markdown and uri fields, not boolean"],
    );
}

#[test]
fn rejects_a_max_length_that_is_not_positive() {
    one_problem(
        "max-length-not-positive",
        &at(
            "max-length-not-positive",
            "page.toml",
            "fields[1] (body).max_length",
        ),
        &["must be a positive number, got 0"],
    );
}

#[test]
fn rejects_min_and_max_on_a_text_field() {
    // One problem per key.
    let p = n_problems("min-max-on-text", 2);
    assert_problem(
        &p[0],
        &at("min-max-on-text", "page.toml", "fields[3] (subtitle).min"),
        &["only applies to integer fields, not text"],
    );
    assert_problem(
        &p[1],
        &at("min-max-on-text", "page.toml", "fields[3] (subtitle).max"),
        &["only applies to integer fields, not text"],
    );
}

#[test]
fn rejects_min_greater_than_max() {
    one_problem(
        "min-greater-than-max",
        &at(
            "min-greater-than-max",
            "page.toml",
            "fields[3] (weight).min",
        ),
        &["10 is greater than max 1"],
    );
}

#[test]
fn rejects_a_pattern_on_a_non_text_field() {
    // Markdown takes max_length but not a pattern.
    one_problem(
        "pattern-on-non-text",
        &at(
            "pattern-on-non-text",
            "page.toml",
            "fields[1] (body).pattern",
        ),
        &["only applies to text fields, not markdown"],
    );
}

#[test]
fn rejects_a_pattern_that_is_not_a_regular_expression() {
    one_problem(
        "invalid-pattern",
        &at("invalid-pattern", "page.toml", "fields[3] (code).pattern"),
        &["not a valid regular expression", "unclosed character class"],
    );
}

#[test]
fn rejects_an_enum_without_values() {
    one_problem(
        "enum-without-values",
        &at(
            "enum-without-values",
            "page.toml",
            "fields[3] (audience).values",
        ),
        &["an enum field needs a list of values"],
    );
}

#[test]
fn rejects_an_enum_with_empty_values() {
    one_problem(
        "enum-empty-values",
        &at(
            "enum-empty-values",
            "page.toml",
            "fields[3] (audience).values",
        ),
        &["an enum field needs at least one value"],
    );
}

#[test]
fn rejects_an_invalid_enum_value() {
    one_problem(
        "enum-invalid-value",
        &at(
            "enum-invalid-value",
            "page.toml",
            "fields[3] (audience).values",
        ),
        &["`Burger` is not a valid value"],
    );
}

#[test]
fn rejects_a_duplicate_enum_value() {
    one_problem(
        "enum-duplicate-value",
        &at(
            "enum-duplicate-value",
            "page.toml",
            "fields[3] (audience).values",
        ),
        &["duplicate value `burger`"],
    );
}

#[test]
fn rejects_values_on_a_non_enum_field() {
    one_problem(
        "values-on-non-enum",
        &at(
            "values-on-non-enum",
            "page.toml",
            "fields[3] (audience).values",
        ),
        &["only applies to enum fields, not text"],
    );
}

#[test]
fn rejects_a_reference_to_an_unknown_type() {
    one_problem(
        "reference-unknown-type",
        &at(
            "reference-unknown-type",
            "page.toml",
            "fields[2] (blocks).to",
        ),
        &["unknown type `section`; known types: block, page"],
    );
}

#[test]
fn rejects_a_reference_without_to() {
    one_problem(
        "reference-without-to",
        &at("reference-without-to", "page.toml", "fields[2] (blocks).to"),
        &["a reference field needs `to = \"<type>\"`"],
    );
}

#[test]
fn rejects_to_on_a_non_reference_field() {
    one_problem(
        "to-on-non-reference",
        &at("to-on-non-reference", "page.toml", "fields[1] (body).to"),
        &["only applies to reference fields, not markdown"],
    );
}

#[test]
fn rejects_a_field_in_an_unknown_channel() {
    one_problem(
        "field-unknown-channel",
        &at(
            "field-unknown-channel",
            "page.toml",
            "fields[1] (body).channels",
        ),
        &["unknown channel `chatbot`; known channels: kcc, web"],
    );
}

#[test]
fn rejects_an_unknown_vocabulary() {
    one_problem(
        "unknown-vocabulary",
        &at(
            "unknown-vocabulary",
            "page.toml",
            "fields[3] (upl_uri).vocabulary",
        ),
        &["unknown vocabulary `upl`; add vocabularies/upl.tsv"],
    );
}

#[test]
fn rejects_a_vocabulary_on_a_non_text_field() {
    one_problem(
        "vocabulary-on-non-text",
        &at(
            "vocabulary-on-non-text",
            "page.toml",
            "fields[3] (colour).vocabulary",
        ),
        &["only applies to text and uri fields, not integer"],
    );
}

#[test]
fn rejects_a_syntax_on_a_non_text_field() {
    one_problem(
        "syntax-on-non-text",
        &at("syntax-on-non-text", "page.toml", "fields[1] (body).syntax"),
        &["only applies to text fields, not markdown"],
    );
}

#[test]
fn rejects_an_unknown_syntax() {
    one_problem(
        "unknown-syntax",
        &at("unknown-syntax", "page.toml", "fields[3] (rule).syntax"),
        &["unknown syntax `regex`", "the one syntax is `rule`"],
    );
}

#[test]
fn rejects_embed_on_a_non_reference_field() {
    one_problem(
        "embed-on-non-reference",
        &at(
            "embed-on-non-reference",
            "page.toml",
            "fields[1] (body).embed",
        ),
        &["only applies to reference fields, not markdown"],
    );
}

#[test]
fn rejects_a_required_internal_only_field() {
    one_problem(
        "internal-field-required",
        &at(
            "internal-field-required",
            "page.toml",
            "fields[3] (desk_memo).required",
        ),
        &["a field shown only in internal channels cannot be required"],
    );
}

// ---------------------------------------------------------------------------
// The title field

#[test]
fn rejects_a_title_field_that_does_not_exist() {
    one_problem(
        "title-field-missing",
        &at("title-field-missing", "block.toml", "title_field"),
        &["no field named `title` in this type"],
    );
}

#[test]
fn rejects_a_title_field_that_is_not_text() {
    one_problem(
        "title-field-not-text",
        &at("title-field-not-text", "block.toml", "title_field"),
        &["`position` must be a required, single text field"],
    );
}

#[test]
fn rejects_a_title_field_that_is_a_list() {
    one_problem(
        "title-field-list",
        &at("title-field-list", "block.toml", "title_field"),
        &["`heading` must be a required, single text field"],
    );
}

#[test]
fn rejects_a_title_field_that_is_optional() {
    one_problem(
        "title-field-optional",
        &at("title-field-optional", "block.toml", "title_field"),
        &["`heading` must be a required, single text field"],
    );
}

#[test]
fn rejects_a_type_with_nothing_to_use_as_title() {
    one_problem(
        "no-title-candidate",
        &at("no-title-candidate", "block.toml", "title_field"),
        &["the type has no text field to use as its title; add one"],
    );
}

#[test]
fn rejects_a_title_field_that_is_not_the_field_named_title() {
    one_problem(
        "title-not-title-field",
        &at("title-not-title-field", "block.toml", "title_field"),
        &["a field named `title` must be the title field"],
    );
}

// ---------------------------------------------------------------------------
// The summary field

#[test]
fn rejects_a_summary_field_that_does_not_exist() {
    one_problem(
        "summary-field-missing",
        &at("summary-field-missing", "page.toml", "summary_field"),
        &["no field named `summary` in this type"],
    );
}

#[test]
fn rejects_a_summary_field_that_is_not_text() {
    one_problem(
        "summary-field-not-text",
        &at("summary-field-not-text", "page.toml", "summary_field"),
        &["`featured` must be a single text or markdown field shown in public channels"],
    );
}

// ---------------------------------------------------------------------------
// GraphQL names

#[test]
fn rejects_a_type_whose_graphql_names_clash_with_another_type() {
    // `page` generates PageFilter; so does a type named `page_filter`.
    let dir = fixture("graphql-type-collision");
    one_problem(
        "graphql-type-collision",
        &at("graphql-type-collision", "page_filter.toml", "name"),
        &[&format!(
            "the GraphQL name `PageFilter` is also generated by {}/page.toml; choose another name or plural",
            dir.display()
        )],
    );
}

#[test]
fn rejects_a_plural_that_bron_itself_uses() {
    one_problem(
        "graphql-shared-name",
        &at("graphql-shared-name", "page.toml", "name"),
        &["the GraphQL name `item` is also generated by Bron itself"],
    );
}

#[test]
fn rejects_a_plural_that_another_type_uses() {
    let dir = fixture("graphql-duplicate-plural");
    one_problem(
        "graphql-duplicate-plural",
        &at("graphql-duplicate-plural", "page.toml", "name"),
        &[&format!(
            "the GraphQL name `blocks` is also generated by {}/block.toml",
            dir.display()
        )],
    );
}

#[test]
fn rejects_an_enum_field_whose_graphql_name_clashes_with_its_own_type() {
    // The enum of field `order` would be PageOrder, which is also the type's
    // order input.
    let dir = fixture("graphql-enum-collision");
    one_problem(
        "graphql-enum-collision",
        &at("graphql-enum-collision", "page.toml", "name"),
        &[&format!(
            "the GraphQL name `PageOrder` is also generated by {}/page.toml",
            dir.display()
        )],
    );
}

// ---------------------------------------------------------------------------
// Channels

#[test]
fn rejects_a_model_without_channels_toml() {
    one_problem(
        "channels-missing",
        &format!("{}/channels.toml: ", fixture("channels-missing").display()),
        &["missing; declare the channels"],
    );
}

#[test]
fn rejects_a_model_without_channels() {
    one_problem(
        "no-channels",
        &at("no-channels", "channels.toml", "channels"),
        &["declare at least one channel"],
    );
}

#[test]
fn rejects_a_duplicate_channel() {
    one_problem(
        "duplicate-channel",
        &at("duplicate-channel", "channels.toml", "channels[2].name"),
        &["duplicate channel `web`"],
    );
}

#[test]
fn rejects_an_invalid_channel_name() {
    one_problem(
        "invalid-channel-name",
        &at("invalid-channel-name", "channels.toml", "channels[0].name"),
        &["`Web` is not a valid name"],
    );
}

#[test]
fn rejects_a_channel_max_length_that_is_not_positive() {
    one_problem(
        "channel-max-length-not-positive",
        &at(
            "channel-max-length-not-positive",
            "channels.toml",
            "channels[0].max_length",
        ),
        &["must be a positive number, got 0"],
    );
}

#[test]
fn rejects_a_channel_whose_style_is_unknown() {
    // `app` has no style, so its style defaults to its name, which is none of
    // the four styles.
    one_problem(
        "unknown-channel-style",
        &at(
            "unknown-channel-style",
            "channels.toml",
            "channels[2].style",
        ),
        &[
            "missing: the channel `app` is not one of web, chatbot, kcc or letter",
            "style = \"web\"",
        ],
    );
}

#[test]
fn rejects_a_heading_level_out_of_range() {
    one_problem(
        "heading-level-out-of-range",
        &at(
            "heading-level-out-of-range",
            "channels.toml",
            "channels[0].heading_level",
        ),
        &["must be 1 to 4", "got 5"],
    );
}

#[test]
fn rejects_an_item_url_without_slug() {
    one_problem(
        "item-url-invalid",
        &at("item-url-invalid", "channels.toml", "channels[0].item_url"),
        &["`/{plural}/{id}` must start with / or https:// and contain {slug}"],
    );
}

// ---------------------------------------------------------------------------
// Routes

#[test]
fn rejects_an_empty_route_text() {
    one_problem(
        "routes-empty-text",
        &at("routes-empty-text", "channels.toml", "routes.nl.desk"),
        &["empty text; leave the key out instead"],
    );
}

#[test]
fn rejects_a_routes_key_that_is_not_a_language_code() {
    one_problem(
        "routes-invalid-locale",
        &at("routes-invalid-locale", "channels.toml", "routes.Dutch"),
        &["must be a language code such as nl, en or nl-BE"],
    );
}

// ---------------------------------------------------------------------------
// Reporting

#[test]
fn reports_every_problem_at_once() {
    // Three independent mistakes in three files.
    let p = n_problems("several-problems", 3);
    let find = |start: &str| {
        p.iter()
            .find(|m| m.starts_with(start))
            .unwrap_or_else(|| panic!("no problem starting with {start:?} in {p:#?}"))
    };
    assert_problem(
        find(&at(
            "several-problems",
            "channels.toml",
            "channels[1].max_length",
        )),
        "",
        &["must be a positive number, got -1"],
    );
    assert_problem(
        find(&at(
            "several-problems",
            "page.toml",
            "fields[1] (body).kind",
        )),
        "",
        &["unknown field kind `string`"],
    );
    assert_problem(
        find(&at(
            "several-problems",
            "block.toml",
            "fields[1] (status).name",
        )),
        "",
        &["`status` is reserved"],
    );
}

#[test]
fn the_error_lists_every_problem_on_its_own_line() {
    let err = ContentModel::load(&fixture("several-problems")).unwrap_err();
    assert_eq!(err.problems.len(), 3, "{err}");
    let shown = err.to_string();
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(lines[0], "the content model is invalid:");
    let expected: Vec<String> = err.problems.iter().map(|p| format!("  - {p}")).collect();
    assert_eq!(lines[1..], expected[..], "{shown}");
}

#[test]
fn a_type_file_that_does_not_parse_is_not_also_an_unknown_type() {
    // page.toml refers to block; block.toml has a syntax error. Reporting
    // "unknown type `block`" as well would send the reader the wrong way.
    let p = n_problems("referenced-type-unparsed", 1);
    assert!(p[0].contains("block.toml (line "), "{p:?}");
}

#[test]
fn rejects_a_field_that_becomes_a_graphql_field_every_item_has() {
    one_problem(
        "graphql-system-field-collision",
        &at(
            "graphql-system-field-collision",
            "page.toml",
            "fields[3] (schedule_error).name",
        ),
        &[
            "GraphQL field `scheduleError` of `Page`",
            "already generates",
        ],
    );
}

#[test]
fn rejects_a_field_that_becomes_a_filter_every_list_has() {
    one_problem(
        "graphql-filter-collision",
        &at(
            "graphql-filter-collision",
            "page.toml",
            "fields[3] (updated_since).name",
        ),
        &["filter `updatedSince` of `PageFilter`"],
    );
}

#[test]
fn rejects_two_fields_that_become_the_same_graphql_name() {
    one_problem(
        "graphql-field-collision",
        &at(
            "graphql-field-collision",
            "page.toml",
            "fields[4] (note2).name",
        ),
        &["`note2` of `Page`", "as fields[3] (note_2) does"],
    );
}

#[test]
fn rejects_a_type_that_generates_a_mutation_bron_has() {
    let p = n_problems("graphql-mutation-collision", 2);
    assert_problem(
        &p[0],
        &at("graphql-mutation-collision", "token.toml", "name"),
        &["`createToken`", "Bron itself"],
    );
}

#[test]
fn rejects_max_items_on_a_single_value() {
    one_problem(
        "max-items-on-single",
        &at(
            "max-items-on-single",
            "page.toml",
            "fields[1] (body).max_items",
        ),
        &["only applies to lists"],
    );
}

#[test]
fn rejects_max_items_that_is_not_positive() {
    one_problem(
        "max-items-not-positive",
        &at(
            "max-items-not-positive",
            "page.toml",
            "fields[2] (blocks).max_items",
        ),
        &["must be a positive number, got 0"],
    );
}

#[test]
fn a_reference_list_without_max_items_holds_at_most_the_default() {
    let model = ContentModel::load(&fixture("valid")).unwrap();
    let blocks = model.get("page").unwrap().field("blocks").unwrap();
    assert_eq!(blocks.max_items, Some(bron::model::DEFAULT_MAX_REFERENCES));
    let title = model.get("page").unwrap().field("title").unwrap();
    assert_eq!(title.max_items, None);
}

/// ARCHITECTURE.md: only the hub (and start-up wiring) names the store;
/// the layers above it speak the domain's vocabulary.
#[test]
fn only_the_hub_names_the_store() {
    for dir in ["src/graphql", "src/import", "src/http", "src/model"] {
        let mut stack = vec![repo().join(dir)];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                assert!(
                    !text.contains("store::") && !text.contains("sqlx"),
                    "{} names the store; use crate::domain or the hub",
                    p.display()
                );
            }
        }
    }
}

#[test]
fn rejects_a_search_weight_on_a_field_that_is_not_text() {
    one_problem(
        "search-weight-on-integer",
        &at(
            "search-weight-on-integer",
            "page.toml",
            "fields[2] (order).search",
        ),
        &["only text and markdown fields are searched, not integer"],
    );
}

#[test]
fn rejects_a_search_weight_out_of_range() {
    one_problem(
        "search-weight-out-of-range",
        &at(
            "search-weight-out-of-range",
            "page.toml",
            "fields[1] (body).search",
        ),
        &["at most 10, got 50"],
    );
}

#[test]
fn rejects_a_type_search_boost_out_of_range() {
    one_problem(
        "search-boost-out-of-range",
        &at("search-boost-out-of-range", "page.toml", "search_boost"),
        &["from 0.1 to 3", "got 5"],
    );
}
