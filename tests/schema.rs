//! The JSON Schema of format v1 against a real validator (the `jsonschema`
//! crate, draft 2020-12): the committed copy is current, every example is
//! valid, the invalid fixtures fail where a schema can see the problem, and
//! the loader and the schema agree field by field.

use std::path::{Path, PathBuf};

use jsonschema::Validator;
use serde_json::{json, Value};
use spof::load::fields::{Context, Shape};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn validator() -> Validator {
    jsonschema::draft202012::new(&spof::schema::schema()).expect("the schema compiles")
}

/// The file as JSON, or `None` when it is not readable YAML.
fn as_json(path: &Path) -> Option<Value> {
    let text = String::from_utf8(std::fs::read(path).ok()?).ok()?;
    if text.contains('\0') {
        return None;
    }
    // A file the YAML reader already refuses (a duplicate key) is not the
    // schema's business.
    spof::yaml::to_json(&text)
}

fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .expect("directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn errors(validator: &Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_committed_schema_is_current() {
    let committed = std::fs::read_to_string(root().join(spof::schema::COMMITTED_PATH))
        .expect("schema/spof-v1.schema.json is committed");
    assert!(
        committed == spof::schema::schema_text(),
        "schema/spof-v1.schema.json is stale: run `cargo run -- schema > schema/spof-v1.schema.json`"
    );
}

#[test]
fn every_example_and_valid_fixture_passes() {
    let validator = validator();
    let mut files = yaml_files("graphs");
    files.extend(yaml_files("tests/fixtures/valid"));
    files.push(root().join("src/cli/starter.yaml"));
    assert!(files.len() > 10);
    for file in files {
        let value = as_json(&file).unwrap_or_else(|| panic!("{} reads", file.display()));
        let errors = errors(&validator, &value);
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
}

/// What the schema makes of each invalid fixture. `Rejects`: the problem is
/// one of shape, which an editor shows as you type. `Accepts`: the problem
/// needs the whole file (ids that resolve, loops, key types), so only
/// `spof validate` finds it. `Unreadable`: the YAML itself is broken.
#[derive(Debug, PartialEq)]
enum Verdict {
    Rejects,
    Accepts,
    Unreadable,
}

#[test]
fn invalid_fixtures_fail_the_schema_where_it_can_see() {
    use Verdict::*;
    let expected = [
        ("alias-bomb", Unreadable),
        ("any-of-problems", Rejects),
        ("duplicate-id", Accepts),
        ("duplicate-key", Unreadable),
        ("hangul-columns", Rejects),
        ("integration-missing", Rejects),
        ("invalid-id", Rejects),
        ("invalid-value", Rejects),
        ("merge-key", Rejects),
        ("misplaced-key", Rejects),
        ("not-utf8", Unreadable),
        ("nul-byte", Unreadable),
        ("numbers", Rejects),
        ("placement-problems", Rejects),
        ("root-not-mapping", Rejects),
        ("second-document", Unreadable),
        ("self-dependency", Accepts),
        ("suppression", Rejects),
        ("tab-indent", Unreadable),
        ("ten-mistakes", Rejects),
        ("unknown-id", Accepts),
        ("unknown-key-no-hint", Rejects),
        ("unknown-key", Rejects),
        ("unsupported-tag", Accepts),
        ("version-missing", Rejects),
        ("version-wrong", Rejects),
        ("within-cycle", Accepts),
        ("wrong-kind", Accepts),
        ("wrong-type", Rejects),
        ("yaml-syntax", Unreadable),
    ];
    let validator = validator();
    let files = yaml_files("tests/fixtures/invalid");
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let listed: Vec<&str> = expected.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, listed, "every invalid fixture has a verdict");
    for (file, (name, verdict)) in files.iter().zip(expected) {
        let found = match as_json(file) {
            None => Unreadable,
            Some(v) if validator.is_valid(&v) => Accepts,
            Some(_) => Rejects,
        };
        assert_eq!(found, verdict, "{name}");
        // Whatever the schema says, the loader refuses every one of them.
        assert!(
            spof::load::load_path(file, spof::load::read::DEFAULT_MAX_BYTES).is_err(),
            "{name}"
        );
    }
}

/// A small valid file with one field set to `value`, in a mapping of `ctx`.
fn file_with(ctx: Context, key: &str, value: Value) -> Value {
    let mut file = json!({
        "version": 1,
        "sites": { "s1": {}, "s2": {} },
        "services": { "a": { "runs_in": "s1" }, "b": {}, "c": {} },
        "integrations": { "i": { "consumer": "a", "provider": "b" } },
    });
    let mut mapping = match (ctx, key) {
        (Context::Dependency, "any_of") | (Context::Dependency, "on") => json!({}),
        (Context::Dependency, "min") => json!({ "any_of": ["s1"] }),
        (Context::Dependency, _) => json!({ "on": "s1" }),
        (Context::AnyOfMember, "on") | (Context::Placement, "sites") => json!({}),
        (Context::PlacementEntry, "site") => json!({}),
        (Context::AnyOfMember, _) => json!({ "on": "s1" }),
        (Context::Placement, _) => json!({ "sites": ["s1"] }),
        (Context::PlacementEntry, _) => json!({ "site": "s1" }),
        _ => json!({}),
    };
    mapping[key] = value;
    match ctx {
        Context::Top => file[key] = mapping[key].take(),
        Context::Site => file["sites"]["s1"][key] = mapping[key].take(),
        Context::Service => file["services"]["a"][key] = mapping[key].take(),
        Context::Integration => file["integrations"]["i"][key] = mapping[key].take(),
        Context::Dependency => file["services"]["b"]["depends_on"] = json!([mapping]),
        Context::AnyOfMember => {
            file["services"]["b"]["depends_on"] = json!([{ "any_of": [mapping] }])
        }
        Context::Placement => file["services"]["b"]["runs_in"] = mapping,
        Context::PlacementEntry => file["services"]["b"]["runs_in"] = json!([mapping]),
    }
    file
}

fn good(key: &str, shape: Shape) -> Value {
    match shape {
        Shape::Version => json!(1),
        Shape::Text => json!("text"),
        Shape::Texts => json!(["x", "y"]),
        Shape::Probability => json!(0.5),
        Shape::Count => json!(3),
        Shape::Min => json!(1),
        Shape::Flag => json!(true),
        Shape::Choice(words) => json!(words[words.len() - 1]),
        Shape::Id => json!(match key {
            "consumer" => "a",
            "provider" => "b",
            "within" => "s2",
            _ => "s1",
        }),
        Shape::Ids => json!(["s1"]),
        // The base file's section, plus a node written as null.
        Shape::Section(_) => {
            let mut section = file_with(Context::Top, "name", json!("x"))[key].take();
            section["extra"] = match key {
                "integrations" => json!({ "consumer": "b", "provider": "a" }),
                _ => Value::Null,
            };
            section
        }
        Shape::Dependencies => json!(["c", { "on": "s2", "mode": "soft" }]),
        Shape::Members => json!(["s1", { "on": "s2" }]),
        Shape::Placement => json!(["s1", { "site": "s2", "requires": ["c"] }]),
        Shape::PlacementEntries => json!(["s1"]),
    }
}

fn bad(shape: Shape) -> Value {
    match shape {
        Shape::Version => json!(2),
        Shape::Text => json!(["a list"]),
        Shape::Texts => json!(5),
        Shape::Probability => json!(1.5),
        Shape::Count => json!(-1),
        Shape::Min => json!(0),
        Shape::Flag => json!("yes"),
        Shape::Choice(_) => json!("bogus"),
        Shape::Id => json!(["s1"]),
        Shape::Ids => json!(5),
        Shape::Section(_) => json!(["a list"]),
        Shape::Dependencies => json!(5),
        Shape::Members => json!([]),
        Shape::Placement => json!([]),
        Shape::PlacementEntries => json!([]),
    }
}

/// JSON is YAML 1.2, so the same text goes to the loader and the validator.
fn loader_accepts(file: &Value) -> bool {
    spof::load::load_str("generated.yaml", file.to_string()).is_ok()
}

#[test]
fn loader_and_schema_agree_on_every_field() {
    let validator = validator();
    let mut checked = 0;
    for ctx in Context::ALL {
        for field in ctx.fields() {
            let fine = file_with(ctx, field.key, good(field.key, field.shape));
            assert!(
                loader_accepts(&fine),
                "loader refuses {ctx:?}.{}: {fine}",
                field.key
            );
            let errs = errors(&validator, &fine);
            assert!(
                errs.is_empty(),
                "schema refuses {ctx:?}.{}: {errs:?}",
                field.key
            );

            let wrong = file_with(ctx, field.key, bad(field.shape));
            assert!(
                !loader_accepts(&wrong),
                "loader takes {ctx:?}.{}: {wrong}",
                field.key
            );
            assert!(
                !validator.is_valid(&wrong),
                "schema takes {ctx:?}.{}: {wrong}",
                field.key
            );

            let unknown = file_with(ctx, "not-a-field", json!(1));
            assert!(!loader_accepts(&unknown) && !validator.is_valid(&unknown));
            let extension = file_with(ctx, "x-team", json!({ "any": ["thing"] }));
            let (l, s) = (loader_accepts(&extension), validator.is_valid(&extension));
            assert!(l && s, "x- key in {ctx:?}: loader {l}, schema {s}");
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        Context::ALL.iter().map(|c| c.fields().len()).sum::<usize>()
    );
}
