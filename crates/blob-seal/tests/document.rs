#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
//! Tests of the backup document: round trips, every validation rule with its path, limits,
//! redaction, and a property test of arbitrary documents.

use base64::Engine as _;
use blob_seal::document::{
    Document, DocumentError, DocumentLimits, Secret, SecretState, SecretValue, Tag, Version, REDACTED,
};
use proptest::prelude::*;
use serde_json::{json, Value};

const NAME: &str = "db-password";

fn limits() -> DocumentLimits {
    DocumentLimits::default()
}

fn parse(text: &str) -> Result<Document, DocumentError> {
    Document::from_json(text.as_bytes(), &limits())
}

fn parse_value(value: &Value) -> Result<Document, DocumentError> {
    Document::from_json(value.to_string().as_bytes(), &limits())
}

/// A valid document with `n` versions, each a short string value.
fn minimal(n: usize) -> Document {
    let versions =
        (0..n).map(|i| Version::new(format!("v{i}"), NAME, SecretValue::string(format!("value-{i}")))).collect();
    Document::new(Secret::new(NAME), versions)
}

/// Serializes and reads back with the default limits.
fn reopen(document: &Document) -> Result<Document, DocumentError> {
    Document::from_json(&document.to_json(), &limits())
}

fn minimal_json() -> Value {
    json!({
        "format_version": 1,
        "secret": {"name": NAME},
        "versions": [
            {"version_metadata": {"id": "v0", "secret_name": NAME, "version_stages": ["SYSCURRENT"]},
             "secret_string": "value-0"}
        ]
    })
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}

// ------------------------------------------------------------------------------------------------
// Round trips

const FULL: &str = r#"{"format_version":1,"secret":{"id":"05f0b7e6-0000-4000-8000-000000000001","name":"db-password","state":"ENABLED","kms_key_id":"b168fe00-0000-4000-8000-000000000002","description":"the database password","create_time":1581507580000,"update_time":1581507580001,"scheduled_delete_time":null,"secret_type":"COMMON","auto_rotation":false,"rotation_period":"30d","rotation_config":"{\"type\":\"rds\"}","rotation_time":1581507580002,"next_rotation_time":1581507580003,"event_subscriptions":["on-change"],"enterprise_project_id":"0","rotation_func_urn":"urn:fss:region:project:function:default:rotate","tags":[{"key":"env","value":"prod","tag_zeta":1,"tag_alpha":[true,null]}],"secret_zeta":{"b":1,"a":2},"secret_alpha":"x"},"versions":[{"version_metadata":{"id":"v1","create_time":1581507580000,"expire_time":null,"kms_key_id":"b168fe00-0000-4000-8000-000000000002","secret_name":"db-password","version_stages":["SYSPREVIOUS"],"meta_zeta":"z","meta_alpha":-1.5},"secret_string":"S3cr3t-Value-XYZ","version_zeta":0,"version_alpha":{"nested":["deep",{"deeper":null}]}},{"version_metadata":{"id":"v2","secret_name":"db-password","version_stages":["SYSCURRENT"]},"secret_binary":"3q2+7wABAgP/"}],"top_zeta":"last?","top_alpha":{"z":1,"a":2}}"#;

#[test]
fn full_document_round_trips_byte_for_byte() {
    let document = parse(FULL).unwrap();
    assert_eq!(text(&document.to_json()), FULL);
    let again = reopen(&document).unwrap();
    assert_eq!(again, document);
}

#[test]
fn full_document_fields_are_read() {
    let document = parse(FULL).unwrap();
    let secret = &document.secret;
    assert_eq!(secret.name, NAME);
    assert_eq!(secret.state, Some(SecretState::Enabled));
    assert_eq!(secret.create_time, Some(1_581_507_580_000));
    assert_eq!(secret.scheduled_delete_time, None);
    assert_eq!(secret.auto_rotation, Some(false));
    assert_eq!(secret.event_subscriptions.as_deref(), Some(&["on-change".to_owned()][..]));
    let tags = secret.tags.as_ref().unwrap();
    assert_eq!(tags[0].key, "env");
    assert_eq!(tags[0].value.as_deref(), Some("prod"));
    assert_eq!(document.versions.len(), 2);
    assert_eq!(document.versions[0].value, SecretValue::string("S3cr3t-Value-XYZ"));
    assert_eq!(document.versions[1].value, SecretValue::binary(vec![0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 0xff]));
    assert_eq!(document.versions[0].version_metadata.expire_time, None);
    assert_eq!(document.versions[1].version_metadata.version_stages, ["SYSCURRENT"]);
}

#[test]
fn unknown_members_keep_their_order_at_every_level() {
    let document = parse(FULL).unwrap();
    let keys = |map: &serde_json::Map<String, Value>| map.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&document.extra), ["top_zeta", "top_alpha"]);
    assert_eq!(keys(&document.secret.extra), ["secret_zeta", "secret_alpha"]);
    assert_eq!(keys(&document.secret.tags.as_ref().unwrap()[0].extra), ["tag_zeta", "tag_alpha"]);
    assert_eq!(keys(&document.versions[0].extra), ["version_zeta", "version_alpha"]);
    assert_eq!(keys(&document.versions[0].version_metadata.extra), ["meta_zeta", "meta_alpha"]);

    let out = document.to_json();
    let out = text(&out);
    for (first, second) in [
        ("\"top_zeta\"", "\"top_alpha\""),
        ("\"secret_zeta\"", "\"secret_alpha\""),
        ("\"tag_zeta\"", "\"tag_alpha\""),
        ("\"version_zeta\"", "\"version_alpha\""),
        ("\"meta_zeta\"", "\"meta_alpha\""),
        ("{\"b\":1,\"a\":2}", "\"secret_alpha\""),
        ("\"z\":1", "\"a\":2}}"),
    ] {
        let a = out.find(first).unwrap_or_else(|| panic!("{first} missing"));
        let b = out.find(second).unwrap_or_else(|| panic!("{second} missing"));
        assert!(a < b, "{first} should come before {second} in {out}");
    }
}

#[test]
fn unknown_members_after_known_ones_in_output() {
    // Unknown members placed before known ones come out after them (documented), still in order.
    let input = r#"{"z_first":1,"format_version":1,"a_second":2,"secret":{"name":"db-password"},"versions":[{"secret_string":"x","version_metadata":{"id":"v","secret_name":"db-password"}}]}"#;
    let document = parse(input).unwrap();
    assert_eq!(
        text(&document.to_json()),
        r#"{"format_version":1,"secret":{"name":"db-password"},"versions":[{"version_metadata":{"id":"v","secret_name":"db-password"},"secret_string":"x"}],"z_first":1,"a_second":2}"#
    );
}

#[test]
fn null_and_absent_are_both_preserved() {
    let input = r#"{"format_version":1,"secret":{"id":null,"name":"db-password","tags":null},"versions":[{"version_metadata":{"id":"v","create_time":null,"expire_time":null,"kms_key_id":null,"secret_name":"db-password"},"secret_string":"x"}]}"#;
    let document = parse(input).unwrap();
    assert_eq!(text(&document.to_json()), input);
    // A value set later replaces the null.
    let mut changed = document.clone();
    changed.versions[0].version_metadata.expire_time = Some(7);
    assert!(text(&changed.to_json()).contains("\"expire_time\":7"));
    // A builder-made document has no nulls and an empty stage list is written.
    let built = minimal(1);
    assert!(text(&built.to_json()).contains("\"version_stages\":[]"));
    assert!(!text(&built.to_json()).contains("null"));
}

#[test]
fn null_value_member_counts_as_absent() {
    let mut value = minimal_json();
    value["versions"][0]["secret_binary"] = Value::Null;
    let document = parse_value(&value).unwrap();
    assert_eq!(document.versions[0].value, SecretValue::string("value-0"));
}

#[test]
fn pretty_output_parses_to_the_same_document() {
    let document = parse(FULL).unwrap();
    let pretty = document.to_json_pretty();
    assert!(text(&pretty).contains("\n  \"secret\": {"));
    assert_eq!(Document::from_json(&pretty, &limits()).unwrap(), document);
}

#[test]
fn output_buffer_is_sized_exactly() {
    let mut document = minimal(3);
    document.versions[1].value = SecretValue::binary(vec![7u8; 10_000]);
    let out = document.to_json();
    assert_eq!(out.capacity(), out.len());
    let pretty = document.to_json_pretty();
    assert_eq!(pretty.capacity(), pretty.len());
}

#[test]
fn compact_output_is_serde_json_output() {
    // to_json writes values without serde_json; it must give serde_json's bytes exactly.
    let mut documents = vec![parse(FULL).unwrap(), minimal(3)];
    let mut odd = minimal(1);
    odd.versions = (0..7)
        .map(|len| Version::new(format!("b{len}"), NAME, SecretValue::binary(vec![0xfb; len])))
        .chain(
            ["", "plain", "quote \" here", "back\\slash", "\u{0}\u{1f}\u{7f}", "é 数据 🔑", "</script>"]
                .iter()
                .enumerate()
                .map(|(i, text)| Version::new(format!("s{i}"), NAME, SecretValue::string(*text))),
        )
        .collect();
    odd.versions[0].extra.insert("k\"ey".into(), json!({"a": [1, "x\n"]}));
    odd.extra.insert("tail".into(), json!(null));
    documents.push(odd);
    for document in documents {
        assert_eq!(text(&document.to_json()), serde_json::to_string(&document).unwrap());
        Document::from_json(&document.to_json(), &limits()).unwrap();
    }
}

#[test]
fn unicode_round_trips() {
    let mut document = minimal(2);
    document.secret.description = Some("mot de passe de la base — 数据库密码 🔑".to_owned());
    document.versions[0] = Version::new("v0", NAME, SecretValue::string("pässwörd ☃ 秘密 \u{1F512}\n\t\"\\\u{0}"))
        .with_stages(["STAGE-é", "舞台"]);
    let document2 = reopen(&document).unwrap();
    assert_eq!(document2, document);
    assert_eq!(document2.versions[0].value.as_str(), Some("pässwörd ☃ 秘密 \u{1F512}\n\t\"\\\u{0}"));
}

#[test]
fn summary_has_no_values() {
    let mut document = minimal(2);
    document.versions[0] = document.versions[0].clone().with_stages(["SYSPREVIOUS"]).with_create_time(5);
    document.versions[1].value = SecretValue::binary(vec![1, 2, 3]);
    let summary = document.summary();
    assert_eq!(summary.len(), 2);
    assert_eq!(summary[0].id, "v0");
    assert_eq!(summary[0].stages, ["SYSPREVIOUS"]);
    assert_eq!(summary[0].create_time, Some(5));
    assert_eq!(summary[0].kind, "string");
    assert_eq!(summary[0].size, "value-0".len());
    assert_eq!(summary[1].kind, "binary");
    assert_eq!(summary[1].size, 3);
}

#[test]
fn types_are_send_sync_clone() {
    fn check<T: Send + Sync + Clone + PartialEq + std::fmt::Debug>() {}
    check::<Document>();
    check::<Secret>();
    check::<Version>();
    check::<SecretValue>();
    check::<Tag>();
    check::<DocumentError>();
    check::<DocumentLimits>();
}

// ------------------------------------------------------------------------------------------------
// Validation rules, one broken at a time

#[test]
fn minimal_documents_are_valid() {
    minimal(1).validate(&limits()).unwrap();
    parse_value(&minimal_json()).unwrap();
}

#[test]
fn unknown_format_version() {
    let mut document = minimal(1);
    document.format_version = 2;
    assert_eq!(
        reopen(&document).unwrap_err(),
        DocumentError::UnknownFormatVersion { path: "format_version".into(), found: 2 }
    );
}

#[test]
fn unknown_format_version_wins_over_a_shape_this_reader_does_not_know() {
    let value = json!({"format_version": 2, "secret": {"names": ["a"]}, "versions": "elsewhere"});
    assert_eq!(
        parse_value(&value).unwrap_err(),
        DocumentError::UnknownFormatVersion { path: "format_version".into(), found: 2 }
    );
}

#[test]
fn secret_name_rule() {
    for bad in ["", "db password", "db/password", "sécret", &"a".repeat(65)] {
        let mut document = minimal(0);
        document.secret.name = bad.to_owned();
        document.versions = vec![Version::new("v0", bad, SecretValue::string("x"))];
        let error = reopen(&document).unwrap_err();
        assert!(
            matches!(&error, DocumentError::InvalidSecretName { path, .. } if path == "secret.name"),
            "{bad:?}: {error:?}"
        );
    }
    for good in ["a", "A-b_c.9", &"a".repeat(64)] {
        let mut document = minimal(0);
        document.secret.name = good.to_owned();
        document.versions = vec![Version::new("v0", good, SecretValue::string("x"))];
        reopen(&document).unwrap();
    }
}

#[test]
fn description_limit_in_bytes() {
    let mut document = minimal(1);
    document.secret.description = Some("é".repeat(1024)); // 2048 bytes
    reopen(&document).unwrap();
    document.secret.description = Some(format!("{}x", "é".repeat(1024)));
    assert_eq!(
        reopen(&document).unwrap_err(),
        DocumentError::DescriptionTooLong { path: "secret.description".into(), len: 2049, max: 2048 }
    );
}

#[test]
fn no_versions() {
    assert_eq!(reopen(&minimal(0)).unwrap_err(), DocumentError::NoVersions { path: "versions".into() });
}

#[test]
fn version_count_limit() {
    reopen(&minimal(20)).unwrap();
    assert_eq!(
        reopen(&minimal(21)).unwrap_err(),
        DocumentError::TooManyVersions { path: "versions".into(), count: 21, max: 20 }
    );
    let raised = limits().with_max_versions(21);
    Document::from_json(&minimal(21).to_json(), &raised).unwrap();
}

#[test]
fn version_id_length() {
    let mut document = minimal(2);
    document.versions[1].version_metadata.id = String::new();
    assert_eq!(
        reopen(&document).unwrap_err(),
        DocumentError::BadVersionId { path: "versions[1].version_metadata.id".into(), len: 0 }
    );
    document.versions[1].version_metadata.id = "é".repeat(65);
    assert_eq!(
        reopen(&document).unwrap_err(),
        DocumentError::BadVersionId { path: "versions[1].version_metadata.id".into(), len: 65 }
    );
    document.versions[1].version_metadata.id = "é".repeat(64);
    reopen(&document).unwrap();
}

#[test]
fn duplicate_version_id() {
    let mut document = minimal(3);
    document.versions[2].version_metadata.id = "v0".into();
    assert_eq!(
        reopen(&document).unwrap_err(),
        DocumentError::DuplicateVersionId {
            id: "v0".into(),
            path: "versions[2].version_metadata.id".into(),
            first_path: "versions[0].version_metadata.id".into(),
        }
    );
}

#[test]
fn stage_name_length() {
    let mut document = minimal(2);
    document.versions[1] = document.versions[1].clone().with_stages(["SYSCURRENT", ""]);
    assert_eq!(
        reopen(&document).unwrap_err(),
        DocumentError::BadStageName { path: "versions[1].version_metadata.version_stages[1]".into(), len: 0 }
    );
    document.versions[1] = document.versions[1].clone().with_stages(["S".repeat(65)]);
    assert_eq!(
        reopen(&document).unwrap_err(),
        DocumentError::BadStageName { path: "versions[1].version_metadata.version_stages[0]".into(), len: 65 }
    );
    document.versions[1] = document.versions[1].clone().with_stages(["S".repeat(64)]);
    reopen(&document).unwrap();
}

#[test]
fn stage_on_two_versions() {
    let mut document = minimal(3);
    document.versions[0] = document.versions[0].clone().with_stages(["SYSPREVIOUS", "SYSCURRENT"]);
    document.versions[2] = document.versions[2].clone().with_stages(["OTHER", "SYSCURRENT"]);
    assert_eq!(
        reopen(&document).unwrap_err(),
        DocumentError::StageOnTwoVersions {
            stage: "SYSCURRENT".into(),
            first_path: "versions[0].version_metadata.version_stages[1]".into(),
            second_path: "versions[2].version_metadata.version_stages[1]".into(),
        }
    );
}

#[test]
fn stage_twice_on_one_version() {
    let mut document = minimal(1);
    document.versions[0] = document.versions[0].clone().with_stages(["A", "B", "A"]);
    assert_eq!(
        reopen(&document).unwrap_err(),
        DocumentError::DuplicateStage {
            stage: "A".into(),
            first_path: "versions[0].version_metadata.version_stages[0]".into(),
            second_path: "versions[0].version_metadata.version_stages[2]".into(),
        }
    );
}

#[test]
fn at_most_twelve_stages() {
    let mut document = minimal(2);
    document.versions[0] = document.versions[0].clone().with_stages((0..6).map(|i| format!("S{i}")));
    document.versions[1] = document.versions[1].clone().with_stages((6..12).map(|i| format!("S{i}")));
    reopen(&document).unwrap();
    document.versions[1] = document.versions[1].clone().with_stages((6..13).map(|i| format!("S{i}")));
    assert_eq!(
        reopen(&document).unwrap_err(),
        DocumentError::TooManyStages {
            path: "versions[1].version_metadata.version_stages[6]".into(),
            count: 13,
            max: 12
        }
    );
}

#[test]
fn both_values() {
    let mut value = minimal_json();
    let versions = value["versions"].as_array_mut().unwrap();
    versions.push(json!({"version_metadata": {"id": "v1", "secret_name": NAME}, "secret_string": "a"}));
    versions.push(json!({"version_metadata": {"id": "v2", "secret_name": NAME},
                         "secret_string": "S3cr3t-Value-XYZ", "secret_binary": "AAEC"}));
    let error = parse_value(&value).unwrap_err();
    assert_eq!(error, DocumentError::BothValues { path: "versions[2]".into() });
    assert!(!format!("{error} {error:?}").contains("S3cr3t"));
}

#[test]
fn no_value() {
    let mut value = minimal_json();
    value["versions"]
        .as_array_mut()
        .unwrap()
        .push(json!({"version_metadata": {"id": "v1", "secret_name": NAME}, "other": 1}));
    assert_eq!(parse_value(&value).unwrap_err(), DocumentError::NoValue { path: "versions[1]".into() });
}

#[test]
fn value_size_limit() {
    const MAX: usize = 64 * 1024;
    let mut document = minimal(2);
    document.versions[1].value = SecretValue::string("é".repeat(MAX / 2));
    reopen(&document).unwrap();
    document.versions[1].value = SecretValue::string(format!("{}x", "é".repeat(MAX / 2)));
    assert_eq!(
        reopen(&document).unwrap_err(),
        DocumentError::ValueTooLarge { path: "versions[1].secret_string".into(), len: MAX + 1, max: MAX }
    );
    document.versions[1].value = SecretValue::binary(vec![0xa5; MAX]);
    reopen(&document).unwrap();
    document.versions[1].value = SecretValue::binary(vec![0xa5; MAX + 1]);
    assert_eq!(
        reopen(&document).unwrap_err(),
        DocumentError::ValueTooLarge { path: "versions[1].secret_binary".into(), len: MAX + 1, max: MAX }
    );
}

#[test]
fn largest_valid_document_fits_default_size_limit() {
    // 20 binary values of 64 KiB, and 20 string values of 64 KiB that escape to 6 bytes each.
    let mut binary = minimal(20);
    for version in &mut binary.versions {
        version.value = SecretValue::binary(vec![0xff; 64 * 1024]);
    }
    reopen(&binary).unwrap();
    let mut escaped = minimal(20);
    for version in &mut escaped.versions {
        version.value = SecretValue::string("\u{1}".repeat(64 * 1024));
    }
    assert!(escaped.to_json().len() > 7 * 1024 * 1024);
    reopen(&escaped).unwrap();
}

#[test]
fn secret_name_mismatch() {
    let mut document = minimal(2);
    document.versions[1].version_metadata.secret_name = "other-secret".into();
    assert_eq!(
        reopen(&document).unwrap_err(),
        DocumentError::SecretNameMismatch {
            path: "versions[1].version_metadata.secret_name".into(),
            found: "other-secret".into(),
            expected: NAME.into(),
        }
    );
}

#[test]
fn unknown_state_is_an_error() {
    let mut value = minimal_json();
    value["secret"]["state"] = json!("ARCHIVED");
    assert_eq!(
        parse_value(&value).unwrap_err(),
        DocumentError::UnknownState { path: "secret.state".into(), found: Some("ARCHIVED".into()) }
    );
    value["secret"]["state"] = json!("enabled");
    assert_eq!(
        parse_value(&value).unwrap_err(),
        DocumentError::UnknownState { path: "secret.state".into(), found: None }
    );
    for state in SecretState::ALL {
        value["secret"]["state"] = json!(state.as_str());
        assert_eq!(parse_value(&value).unwrap().secret.state, Some(state));
    }
}

#[test]
fn duplicate_members_are_refused_at_every_level() {
    let cases = [
        (
            r#"{"format_version":1,"format_version":1,"secret":{"name":"db-password"},"versions":[]}"#,
            "(root)",
            "format_version",
        ),
        (r#"{"format_version":1,"x":1,"x":2,"secret":{"name":"db-password"},"versions":[]}"#, "(root)", "x"),
        (r#"{"format_version":1,"secret":{"name":"db-password","name":"other"},"versions":[]}"#, "secret", "name"),
        (
            r#"{"format_version":1,"secret":{"name":"db-password"},"versions":[{"version_metadata":{"id":"v","secret_name":"db-password"},"secret_string":"a","secret_string":"b"}]}"#,
            "versions[0]",
            "secret_string",
        ),
        (
            r#"{"format_version":1,"secret":{"name":"db-password"},"versions":[{"version_metadata":{"id":"v","secret_name":"db-password"},"secret_string":"a","ext":{"k":[{"d":1,"d":2}]}}]}"#,
            "versions[0].ext.k[0]",
            "d",
        ),
    ];
    for (input, path, name) in cases {
        assert_eq!(
            parse(input).unwrap_err(),
            DocumentError::DuplicateMember { path: path.into(), name: name.into() },
            "{input}"
        );
    }
}

#[test]
fn extra_member_may_not_shadow_a_known_one() {
    let mut document = minimal(1);
    document.versions[0].version_metadata.extra.insert("id".into(), json!("v9"));
    assert_eq!(
        document.validate(&limits()).unwrap_err(),
        DocumentError::ExtraShadowsField { path: "versions[0].version_metadata.id".into() }
    );
    let mut document = minimal(1);
    document.extra.insert("secret".into(), json!({}));
    assert_eq!(document.validate(&limits()).unwrap_err(), DocumentError::ExtraShadowsField { path: "secret".into() });
}

#[test]
fn extra_member_may_not_nest_deeper_than_a_reader_accepts() {
    let mut deep = json!(1);
    for _ in 0..40 {
        deep = json!([deep]);
    }
    let mut document = minimal(1);
    document.secret.extra.insert("x.y".into(), deep);
    assert_eq!(
        document.validate(&limits()).unwrap_err(),
        DocumentError::ExtraTooDeep { path: "secret[\"x.y\"]".into(), max: 32 }
    );
    // Depth 32 in total is accepted, 33 is not; validate agrees with from_json.
    let mut nested = json!(1);
    for _ in 0..30 {
        nested = json!([nested]); // top object 1 + secret 2 + 30 arrays = 32
    }
    let mut document = minimal(1);
    document.secret.extra.insert("n".into(), nested.clone());
    document.validate(&limits()).unwrap();
    reopen(&document).unwrap();
    document.secret.extra.insert("n".into(), json!([nested]));
    assert!(matches!(document.validate(&limits()), Err(DocumentError::ExtraTooDeep { .. })));
    assert!(matches!(reopen(&document), Err(DocumentError::NestingTooDeep { max: 32, .. })));
}

// ------------------------------------------------------------------------------------------------
// Parse errors

#[test]
fn nesting_depth_bound_without_stack_overflow() {
    let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
    let error = parse(&format!(r#"{{"format_version":1,"x":{deep}}}"#)).unwrap_err();
    assert_eq!(error, DocumentError::NestingTooDeep { max: 32, offset: 55 });
    let error = parse(&"{\"a\":".repeat(100_000)).unwrap_err();
    assert!(matches!(error, DocumentError::NestingTooDeep { max: 32, .. }));
    // Brackets inside strings do not count.
    let mut value = minimal_json();
    value["versions"][0]["secret_string"] = json!("[{".repeat(1000));
    value["secret"]["description"] = json!("\\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
    parse_value(&value).unwrap();
}

#[test]
fn item_count_bound() {
    // minimal(1) is {"format_version":1,"secret":{"name":..},"versions":[{"version_metadata":
    // {"id","secret_name","version_stages":[]},"secret_string"}]}: 3 + 1 + 1 + 2 + 3 + 1 = 11.
    let json = minimal(1).to_json();
    Document::from_json(&json, &limits().with_max_items(11)).unwrap();
    let error = Document::from_json(&json, &limits().with_max_items(10)).unwrap_err();
    let text = text(&json);
    // The eleventh item is the member after version_metadata's object: its comma.
    let eleventh = text.find(r#","secret_string""#).unwrap();
    assert_eq!(error, DocumentError::TooManyItems { max: 10, offset: eleventh });
    assert_eq!(blob_seal::Error::Document(error).code(), "document_too_many_items");
    // An empty array or object counts one; commas and brackets inside strings count nothing.
    let mut value = minimal_json();
    value["secret"]["description"] = json!(r#"\",[{,,,]}\\"#);
    value["versions"][0]["secret_string"] = json!(",".repeat(10_000));
    let json = serde_json::to_vec(&value).unwrap();
    Document::from_json(&json, &limits().with_max_items(12)).unwrap();
    Document::from_json(&json, &limits().with_max_items(11)).unwrap_err();
    value["secret"]["tags"] = json!([]);
    let json = serde_json::to_vec(&value).unwrap();
    Document::from_json(&json, &limits().with_max_items(14)).unwrap();
    Document::from_json(&json, &limits().with_max_items(13)).unwrap_err();
    // An unterminated string is the parser's to report.
    let error = parse(r#"{"format_version":1,"secret":"#.to_owned().as_str()).unwrap_err();
    assert!(matches!(error, DocumentError::Syntax { .. }), "{error:?}");
    let error = parse(r#"{"a":"\"#).unwrap_err();
    assert!(matches!(error, DocumentError::Syntax { .. }), "{error:?}");
}

#[test]
fn sealing_refuses_what_opening_would_refuse_for_its_item_count() {
    // A document built in code, with an unknown member of many tiny values: it validates, but its
    // serialization has too many items, so seal refuses it rather than write a blob that no
    // reader with the same limits opens.
    let key = blob_seal::Key::from_bytes(br#"{"kty":"oct","k":"AAAAAAAAAAAAAAAAAAAAAA","kid":"k"}"#).unwrap();
    let mut document = minimal(1);
    let options = blob_seal::SealOptions::default();
    // 11 items, one more member, and the array's: the limit exactly, then one over it.
    document.extra.insert("x".into(), json!(vec![0; DocumentLimits::DEFAULT.max_items - 12]));
    document.validate(&limits()).unwrap();
    let blob = blob_seal::seal(&document, &key, &options).unwrap();
    blob_seal::open(&blob, &key, &blob_seal::OpenOptions::default()).unwrap();
    document.extra.insert("x".into(), json!(vec![0; DocumentLimits::DEFAULT.max_items - 11]));
    document.validate(&limits()).unwrap();
    let error = blob_seal::seal(&document, &key, &options).unwrap_err();
    assert_eq!(error.code(), "document_too_many_items");
}

#[test]
fn document_size_bound() {
    let big = minimal(1).to_json();
    let small = limits().with_max_document_len(big.len() - 1);
    assert_eq!(
        Document::from_json(&big, &small).unwrap_err(),
        DocumentError::DocumentTooLarge { len: big.len(), max: big.len() - 1 }
    );
    Document::from_json(&big, &limits().with_max_document_len(big.len())).unwrap();
}

#[test]
fn wrong_types_name_the_path() {
    let cases = [
        (
            json!({"format_version": 1, "secret": {"name": NAME}, "versions": [{"version_metadata": {"id": 5}}]}),
            "versions[0].version_metadata.id",
        ),
        (
            json!({"format_version": 1, "secret": {"name": NAME}, "versions": [
            {"version_metadata": {"id": "v0", "secret_name": NAME}, "secret_string": "x"},
            {"version_metadata": {"id": "v1", "secret_name": NAME}, "secret_string": "y"},
            {"version_metadata": {"id": "v2", "secret_name": NAME}, "secret_string": "y"},
            {"version_metadata": {"id": "v3", "secret_name": NAME, "version_stages": "SYSCURRENT"}, "secret_string": "z"}]}),
            "versions[3].version_metadata.version_stages",
        ),
        (
            json!({"format_version": 1, "secret": {"name": NAME, "tags": [{"key": "k", "value": 3}]}, "versions": []}),
            "secret.tags[0].value",
        ),
        (
            json!({"format_version": 1, "secret": {"name": NAME, "create_time": "yesterday"}, "versions": []}),
            "secret.create_time",
        ),
        (json!({"format_version": "1", "secret": {"name": NAME}, "versions": []}), "format_version"),
        (
            json!({"format_version": 1, "secret": {"name": NAME}, "versions": [{"version_metadata": {"id": "v", "secret_name": NAME}, "secret_string": 12}]}),
            "versions[0].secret_string",
        ),
        (
            json!({"format_version": 1, "secret": {"name": NAME}, "versions": [{"version_metadata": {"id": "v", "secret_name": NAME}, "secret_binary": ["AA=="]}]}),
            "versions[0].secret_binary",
        ),
        (json!({"format_version": 1, "secret": {"name": NAME}, "versions": {}}), "versions"),
        (json!([]), "(root)"),
    ];
    for (value, path) in cases {
        let error = parse_value(&value).unwrap_err();
        match &error {
            DocumentError::Schema { path: found, .. } => assert_eq!(found, path, "{value}"),
            other => panic!("{value}: expected a schema error, got {other:?}"),
        }
        assert!(error.to_string().contains(path), "{error}");
    }
}

#[test]
fn missing_members_name_the_object() {
    let value = json!({"format_version": 1, "secret": {"name": NAME}, "versions": [
        {"version_metadata": {"secret_name": NAME}, "secret_string": "x"}]});
    let error = parse_value(&value).unwrap_err();
    assert_eq!(
        error,
        DocumentError::Schema { path: "versions[0].version_metadata".into(), message: "missing field `id`".into() }
    );
    let value = json!({"format_version": 1, "versions": []});
    assert!(matches!(parse_value(&value).unwrap_err(),
        DocumentError::Schema { path, message } if path == "(root)" && message.contains("secret")));
    let value = json!({"format_version": 1, "secret": {"name": NAME}, "versions": [{"secret_string": "x"}]});
    assert!(matches!(parse_value(&value).unwrap_err(),
        DocumentError::Schema { path, message } if path == "versions[0]" && message.contains("version_metadata")));
}

#[test]
fn invalid_json_is_a_syntax_error() {
    let good = minimal(1).to_json();
    let mut trailing = good.to_vec();
    trailing.extend_from_slice(b" x");
    assert!(matches!(Document::from_json(&trailing, &limits()), Err(DocumentError::Syntax { line: 1, .. })));
    assert!(matches!(Document::from_json(&good[..good.len() - 1], &limits()), Err(DocumentError::Syntax { .. })));
    assert!(matches!(Document::from_json(b"", &limits()), Err(DocumentError::Syntax { .. })));
    assert!(matches!(Document::from_json(b"{\"a\":\"\xff\"}", &limits()), Err(DocumentError::Syntax { .. })));
    // Surrounding whitespace is fine.
    let mut spaced = b"\n ".to_vec();
    spaced.extend_from_slice(&good);
    spaced.extend_from_slice(b" \n");
    Document::from_json(&spaced, &limits()).unwrap();
}

#[test]
fn bad_base64_names_the_path() {
    for bad in ["not base64!", "AAE", "AAE=x", "AAF=", " AAEC", "AA\nEC", "-_-_", "AAEC===="] {
        let mut value = minimal_json();
        let versions = value["versions"].as_array_mut().unwrap();
        versions.push(json!({"version_metadata": {"id": "v1", "secret_name": NAME}, "secret_binary": bad}));
        let error = parse_value(&value).unwrap_err();
        assert_eq!(error, DocumentError::BadBase64 { path: "versions[1].secret_binary".into() }, "{bad:?}");
        if bad.len() > 4 {
            assert!(!error.to_string().contains(bad));
        }
    }
    let mut value = minimal_json();
    value["versions"][0] = json!({"version_metadata": {"id": "v0", "secret_name": NAME}, "secret_binary": ""});
    assert!(parse_value(&value).unwrap().versions[0].value.is_empty());
}

#[test]
fn binary_values_use_standard_padded_base64() {
    let bytes = vec![0xfb, 0xff, 0xbf, 0x01];
    let mut document = minimal(1);
    document.versions[0].value = SecretValue::binary(bytes.clone());
    let out = document.to_json();
    assert!(text(&out)
        .contains(&format!("\"secret_binary\":\"{}\"", base64::engine::general_purpose::STANDARD.encode(&bytes))));
    assert!(text(&out).contains("\"+/+/AQ==\""));
    assert_eq!(reopen(&document).unwrap().versions[0].value.as_bytes(), bytes);
}

// ------------------------------------------------------------------------------------------------
// Redaction

const SECRET_TEXT: &str = "S3cr3t-Value-XYZ";
const SECRET_BYTES: &[u8] = b"\x00Binary-Secret-QRS\xfe\xff";

fn distinctive() -> Document {
    let mut document = minimal(2);
    document.versions[0].value = SecretValue::string(SECRET_TEXT);
    document.versions[1].value = SecretValue::binary(SECRET_BYTES);
    document
}

fn assert_no_secret(output: &str) {
    let b64 = base64::engine::general_purpose::STANDARD.encode(SECRET_BYTES);
    assert!(!output.contains(SECRET_TEXT), "string value leaked: {output}");
    assert!(!output.contains("Binary-Secret"), "binary value leaked: {output}");
    assert!(!output.contains(&b64), "binary value leaked as base64: {output}");
    assert!(!output.contains(&b64[4..16]), "binary value leaked as base64: {output}");
}

#[test]
fn debug_is_redacted() {
    let document = distinctive();
    for output in [format!("{document:?}"), format!("{document:#?}")] {
        assert_no_secret(&output);
        assert!(output.contains("db-password"));
        assert!(output.contains("v1"));
    }
    assert_eq!(
        format!("{:?}", document.versions[0].value),
        format!("SecretValue::String(<redacted, {} bytes>)", SECRET_TEXT.len())
    );
    assert_eq!(
        format!("{:?}", document.versions[1].value),
        format!("SecretValue::Binary(<redacted, {} bytes>)", SECRET_BYTES.len())
    );
    // The serialized document does carry the values (the test is able to fail).
    assert!(text(&document.to_json()).contains(SECRET_TEXT));
}

#[test]
fn redacted_json_keeps_the_kind_but_not_the_value() {
    let document = distinctive();
    let redacted = document.to_json_redacted();
    assert_no_secret(&redacted.to_string());
    assert_eq!(redacted["versions"][0]["secret_string"], json!(REDACTED));
    assert_eq!(redacted["versions"][1]["secret_binary"], json!(REDACTED));
    assert_eq!(redacted["versions"][1]["version_metadata"]["id"], json!("v1"));
    assert_eq!(redacted["secret"]["name"], json!(NAME));
    // Everything else is as in the real output.
    let mut real: Value = serde_json::from_slice(&document.to_json()).unwrap();
    real["versions"][0]["secret_string"] = json!(REDACTED);
    real["versions"][1]["secret_binary"] = json!(REDACTED);
    assert_eq!(redacted, real);
}

#[test]
fn errors_never_contain_values() {
    let b64 = base64::engine::general_purpose::STANDARD.encode(SECRET_BYTES);
    let mut errors = Vec::new();
    // Validation failures of documents that hold the values.
    let mut document = distinctive();
    document.versions[1].version_metadata.secret_name = "other".into();
    errors.push(reopen(&document).unwrap_err());
    let mut document = distinctive();
    let small = limits().with_max_value_len(4);
    errors.push(Document::from_json(&document.to_json(), &small).unwrap_err());
    document.versions.push(document.versions[0].clone());
    errors.push(reopen(&document).unwrap_err());
    // A value put where another type belongs.
    for (path, value) in [
        ("/versions/0/version_metadata/version_stages", json!(SECRET_TEXT)),
        ("/versions/0/version_metadata/create_time", json!(SECRET_TEXT)),
        ("/versions/0/version_metadata/id", json!([SECRET_TEXT])),
        ("/secret/state", json!(SECRET_TEXT)),
        ("/format_version", json!(SECRET_TEXT)),
        ("/versions/1/secret_binary", json!(format!("{b64}{SECRET_TEXT}"))),
        ("/versions/1/secret_binary", json!(format!("{SECRET_TEXT}{b64}"))),
    ] {
        let mut broken: Value = serde_json::from_slice(&distinctive().to_json()).unwrap();
        let (parent, member) = path.rsplit_once('/').unwrap();
        let object = broken.pointer_mut(parent).unwrap().as_object_mut().unwrap();
        object.insert(member.to_owned(), value);
        errors.push(parse_value(&broken).unwrap_err());
    }
    assert_eq!(errors.len(), 10);
    for error in &errors {
        assert_no_secret(&format!("{error} {error:?} {error:#?}"));
    }
}

// ------------------------------------------------------------------------------------------------
// Property: arbitrary valid documents round-trip exactly

const STAGE_POOL: [&str; 12] =
    ["SYSCURRENT", "SYSPREVIOUS", "PENDING", "é-stage", "舞台", "A", "B", "C", "D", "E", "F", "G"];

fn arb_value() -> impl Strategy<Value = SecretValue> {
    prop_oneof![
        proptest::collection::vec(any::<char>(), 0..1500)
            .prop_map(|chars| SecretValue::string(chars.into_iter().collect::<String>())),
        proptest::collection::vec(any::<u8>(), 0..4096).prop_map(SecretValue::binary),
    ]
}

fn arb_document() -> impl Strategy<Value = Document> {
    (1usize..=20)
        .prop_flat_map(|n| {
            (
                proptest::collection::vec((arb_value(), proptest::option::of(any::<i64>()), "[a-zA-Z0-9é-]{0,8}"), n),
                // For each stage of the pool: the version that carries it, if any.
                proptest::collection::vec(proptest::option::of(0..n), STAGE_POOL.len()),
                "[a-zA-Z0-9._-]{1,64}",
                proptest::option::of(".{0,200}"),
                proptest::option::of(any::<bool>()),
                proptest::option::of(proptest::sample::select(SecretState::ALL.to_vec())),
            )
        })
        .prop_map(|(versions, stage_owner, name, description, auto_rotation, state)| {
            let mut secret = Secret::new(name.clone());
            secret.description = description;
            secret.auto_rotation = auto_rotation;
            secret.state = state;
            secret.tags = Some(vec![Tag::new("env", "prod")]);
            let versions = versions
                .into_iter()
                .enumerate()
                .map(|(i, (value, create_time, suffix))| {
                    let stages: Vec<&str> = STAGE_POOL
                        .iter()
                        .zip(&stage_owner)
                        .filter(|(_, owner)| **owner == Some(i))
                        .map(|(stage, _)| *stage)
                        .collect();
                    let mut version = Version::new(format!("v{i}-{suffix}"), name.clone(), value).with_stages(stages);
                    version.version_metadata.create_time = create_time;
                    if i % 3 == 0 {
                        version.extra.insert(format!("future_{suffix}"), json!({"n": i, "s": suffix}));
                    }
                    version
                })
                .collect();
            Document::new(secret, versions)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_documents_round_trip(document in arb_document()) {
        document.validate(&limits()).unwrap();
        let json = document.to_json();
        let back = Document::from_json(&json, &limits()).unwrap();
        prop_assert_eq!(&back, &document);
        prop_assert_eq!(&back.to_json()[..], &json[..]);
        let pretty = Document::from_json(&document.to_json_pretty(), &limits()).unwrap();
        prop_assert_eq!(&pretty, &document);
    }
}
