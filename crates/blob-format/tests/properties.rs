//! Property tests: build -> serialize -> parse round trips; parse and inspect never panic and agree.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use blob_format::{inspect, parse, parse_blob, Alg, Builder, Enc, Header, Marker, Prefix, WriteOptions};
use proptest::prelude::*;
use serde_json::Value;

fn alg() -> impl Strategy<Value = Alg> {
    prop::sample::select(Alg::ALL.to_vec())
}

fn enc() -> impl Strategy<Value = Enc> {
    prop::sample::select(Enc::ALL.to_vec())
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z]{1,6}", inner), 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Extra header members: any name but the typed ones, zip and crit; unique.
fn others() -> impl Strategy<Value = Vec<(String, Value)>> {
    prop::collection::btree_map("[a-zA-Z0-9_\\-\u{e9}\u{4e2d}]{1,10}", json_value(), 0..4).prop_map(|m| {
        m.into_iter()
            .filter(|(k, _)| !["alg", "enc", "kid", "typ", "cty", "zip", "crit"].contains(&k.as_str()))
            .collect()
    })
}

/// A valid blob's parts for a header: segment bytes of the right lengths.
fn valid_parts(alg: Alg, enc: Enc) -> impl Strategy<Value = (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>)> {
    let ek_len = match alg.kek_len() {
        Some(_) => enc.cek_len() + 8,
        None => 256,
    };
    let ct = if enc.is_cbc_hmac() {
        (1usize..8).prop_flat_map(|blocks| prop::collection::vec(any::<u8>(), blocks * 16)).boxed()
    } else {
        prop::collection::vec(any::<u8>(), 0..100).boxed()
    };
    (
        prop::collection::vec(any::<u8>(), ek_len),
        prop::collection::vec(any::<u8>(), enc.iv_len()),
        ct,
        prop::collection::vec(any::<u8>(), enc.tag_len()),
    )
}

fn options() -> impl Strategy<Value = WriteOptions> {
    (
        prop::sample::select(vec![Marker::Published, Marker::Length]),
        prop::sample::select(vec![Prefix::Long, Prefix::Short]),
    )
        .prop_map(|(marker, prefix)| WriteOptions { marker, prefix })
}

fn header() -> impl Strategy<Value = Header> {
    (alg(), enc(), prop::option::of(".{0,40}"), prop::option::of("[ -~]{0,10}"), others()).prop_map(
        |(alg, enc, kid, typ, others)| {
            let mut h = Header::new(alg, enc);
            if let Some(kid) = kid {
                h = h.with_kid(kid);
            }
            if let Some(typ) = typ {
                h = h.with_typ(typ);
            }
            for (name, value) in others {
                h = h.with_member(name, value).unwrap();
            }
            h
        },
    )
}

fn valid_blob() -> impl Strategy<Value = (Header, WriteOptions, [Vec<u8>; 4], String)> {
    (header(), options()).prop_flat_map(|(h, o)| {
        valid_parts(h.alg(), h.enc()).prop_map(move |(ek, iv, ct, tag)| {
            let blob =
                Builder::new(h.clone()).options(o).encrypted_key(&ek).iv(&iv).ciphertext(&ct).tag(&tag).to_string();
            (h.clone(), o, [ek, iv, ct, tag], blob)
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn build_serialize_parse_round_trips((header, options, parts, blob) in valid_blob()) {
        let parsed = parse_blob(&blob).unwrap();
        prop_assert_eq!(parsed.header(), &header);
        prop_assert_eq!(parsed.marker(), options.marker);
        prop_assert_eq!(parsed.prefix(), options.prefix);
        prop_assert_eq!(parsed.encrypted_key().decode(), parts[0].clone());
        prop_assert_eq!(parsed.iv().decode(), parts[1].clone());
        prop_assert_eq!(parsed.ciphertext().decode(), parts[2].clone());
        prop_assert_eq!(parsed.tag().decode(), parts[3].clone());
        prop_assert_eq!(parsed.to_string(), blob.clone());
        // The header segment is the AAD, exactly as written.
        let encoded = header.encode();
        prop_assert_eq!(parsed.aad(), encoded.as_bytes());
        prop_assert!(inspect(&blob).is_well_formed());
    }

    #[test]
    fn arbitrary_strings_never_panic_and_agree(s in ".{0,300}") {
        let ok = parse(&s).is_ok();
        let report = inspect(&s);
        prop_assert_eq!(ok, report.is_well_formed());
    }

    #[test]
    fn mutations_of_a_valid_blob_never_panic_and_agree(
        (_, _, _, blob) in valid_blob(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<char>(), 0u8..3), 1..4),
    ) {
        let mut chars: Vec<char> = blob.chars().collect();
        for (at, c, op) in edits {
            let i = at.index(chars.len().max(1));
            match op {
                0 if i < chars.len() => chars[i] = c,
                1 => chars.insert(i.min(chars.len()), c),
                _ if i < chars.len() => { chars.remove(i); }
                _ => {}
            }
        }
        let s: String = chars.into_iter().collect();
        let parsed = parse(&s);
        let report = inspect(&s);
        prop_assert_eq!(parsed.is_ok(), report.is_well_formed(), "{:?}", report.findings);
        if let Err(e) = parsed {
            let first = report.errors().next().unwrap();
            prop_assert_eq!((first.code, first.part, first.offset), (e.code(), e.part, e.offset));
        }
    }
}
