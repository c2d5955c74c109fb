use super::*;

fn answers(pairs: &[(&str, Value)]) -> Answers {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn eval(rule: &str, pairs: &[(&str, Value)]) -> Outcome {
    parse(rule).unwrap().eval(&answers(pairs))
}

#[test]
fn comparisons_of_every_kind() {
    use Value::*;
    assert_eq!(eval("age >= 18", &[("age", Num(18.0))]), Outcome::Met);
    assert_eq!(eval("age >= 18", &[("age", Num(17.5))]), Outcome::Unmet);
    assert_eq!(eval("age < 75", &[("age", Str("74".into()))]), Outcome::Met);
    assert_eq!(
        eval("resident == true", &[("resident", Str("ja".into()))]),
        Outcome::Met
    );
    assert_eq!(
        eval("resident", &[("resident", Bool(false))]),
        Outcome::Unmet
    );
    assert_eq!(
        eval(
            "municipality == \"Lindewaard\"",
            &[("municipality", Str(" lindewaard ".into()))]
        ),
        Outcome::Met
    );
    assert_eq!(
        eval(
            "moved_on >= 2026-01-01",
            &[("moved_on", Str("2026-03-01".into()))]
        ),
        Outcome::Met
    );
    assert_eq!(
        eval(
            "moved_on >= 2026-01-01",
            &[("moved_on", Date("2025-12-31".into()))]
        ),
        Outcome::Unmet
    );
    assert_eq!(eval("age != 18", &[("age", Num(18.0))]), Outcome::Unmet);
}

#[test]
fn membership_and_logic() {
    use Value::*;
    let rule = "side in [\"voorkant\", \"zijkant\"] and not monument or exempt == true";
    assert_eq!(
        eval(
            rule,
            &[("side", Str("Voorkant".into())), ("monument", Bool(false))]
        ),
        Outcome::Met
    );
    assert_eq!(
        eval(
            rule,
            &[("side", Str("achterkant".into())), ("exempt", Bool(false))]
        ),
        Outcome::Unmet
    );
    assert_eq!(eval("x not in [1, 2]", &[("x", Num(3.0))]), Outcome::Met);
    assert_eq!(
        eval(
            "leeftijd >= 18 en niet (woont_in == \"elders\")",
            &[("leeftijd", Num(30.0)), ("woont_in", Str("hier".into()))]
        ),
        Outcome::Met
    );
    assert_eq!(
        eval("a && (b || !c)", &[("a", Bool(true)), ("c", Bool(false))]),
        Outcome::Met
    );
}

#[test]
fn unknown_until_answered() {
    use Value::*;
    assert_eq!(
        eval("age >= 18 and resident", &[("age", Num(20.0))]),
        Outcome::Unknown
    );
    // One unmet part decides an `and`, one met part an `or`, whatever is unknown.
    assert_eq!(
        eval("age >= 18 and resident", &[("age", Num(12.0))]),
        Outcome::Unmet
    );
    assert_eq!(
        eval("age >= 18 or resident", &[("resident", Bool(true))]),
        Outcome::Met
    );
    assert_eq!(eval("not resident", &[]), Outcome::Unknown);
    // An answer that cannot be read as the kind asked for is unknown.
    assert_eq!(
        eval("age >= 18", &[("age", Str("oud".into()))]),
        Outcome::Unknown
    );
}

#[test]
fn names_and_their_kinds() {
    let e = parse("age >= 18 and resident and city in [\"a\"] and since < 2026-01-01").unwrap();
    let names: Vec<_> = e
        .names()
        .into_iter()
        .map(|(n, k)| (n, k.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("age".to_string(), "number"),
            ("resident".to_string(), "boolean"),
            ("city".to_string(), "string"),
            ("since".to_string(), "date")
        ]
    );
}

#[test]
fn errors_point_at_the_mistake() {
    let cases = [
        ("age >= ", 7, "expected a value after `>=`"),
        ("age = 18", 4, "`=` on its own"),
        ("age >= 18 and", 13, "expected a name"),
        (
            "(age >= 18",
            10,
            "expected `)` to close the `(` at position 1",
        ),
        ("age > \"achttien\"", 4, "compares numbers or dates"),
        ("18 <= age", 0, "put the name first"),
        ("city in []", 9, "the list is empty"),
        ("city in [\"a\", 1]", 14, "a list holds values of one kind"),
        ("city == \"a", 8, "no closing"),
        ("Leeftijd >= 18", 0, "not a valid name"),
        ("age >= 18 age", 10, "expected `and`, `or`"),
        (
            "age >= 18 and age == \"x\"",
            14,
            "`age` is used as a string here but as a number at position 1",
        ),
        ("x == 12-40", 5, "neither a number"),
        ("", 0, "the rule is empty"),
        ("a # b", 2, "unexpected character `#`"),
    ];
    for (rule, offset, message) in cases {
        let e = parse(rule).unwrap_err();
        assert_eq!(e.offset, offset, "{rule}: {e}");
        assert!(e.message.contains(message), "{rule}: {e}");
    }
    let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
    assert!(parse(&deep).unwrap_err().message.contains("nested"));
    let nots = format!("{}a", "not ".repeat(1000));
    assert!(parse(&nots).is_err());
}
