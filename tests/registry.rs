//! The README's list of diagnostic codes is the registry's, row for row.

use spof::code::Code;

#[test]
fn readme_lists_every_code_with_its_summary() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let start = readme.find("<!-- codes:").expect("codes marker");
    let end = readme.find("<!-- /codes -->").expect("end marker");
    let listed: Vec<&str> = readme[start..end]
        .lines()
        .filter(|l| l.starts_with("| `spof::"))
        .collect();
    let expected: Vec<String> = Code::ALL
        .iter()
        .map(|c| format!("| `{}` | {} |", c.name(), c.summary().replace('|', "\\|")))
        .collect();
    assert_eq!(
        listed,
        expected,
        "README.md's code table is stale; expected:\n{}",
        expected.join("\n")
    );
}

#[test]
fn every_code_and_rule_explains_itself() {
    for code in Code::ALL {
        assert!(code.explanation().lines().count() >= 1, "{code}");
    }
    for rule in spof::rule::Rule::ALL {
        assert!(rule.explanation().len() > 40, "{}", rule.code());
    }
}
