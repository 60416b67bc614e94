//! The `mutate_valid` body checks something: each kind of change really changes the blob (and then
//! it does not open), a change to the same value leaves it identical (and it opens), and the one
//! unauthenticated change, the marker, opens only as `)` or the long prefix's length byte `-`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use blob_seal::OpenOptions;
use fuzz_bodies::{Case, Json, Member, Mutation};

/// Whether the blob opens under either fixed key.
fn opens(blob: &str) -> bool {
    let (rsa, kw) = fuzz_bodies::keys();
    [rsa, kw].iter().any(|k| blob_seal::open_raw(blob, k, &OpenOptions::default()).is_ok())
}

#[test]
fn changes_do_not_open_and_identities_do() {
    let blobs = fuzz_bodies::seed_blobs();
    assert_eq!(blobs.len(), 6);
    let mut checked = 0;
    for blob in 0..6u8 {
        let original = &blobs[usize::from(blob)];
        assert!(opens(original));
        // The fourth character of the JWE part (inside the header segment).
        let jwe_char = original[1 + blob_format::PREFIX_LONG.len() + 3..].chars().next().unwrap();
        let changes = [
            Mutation::ReplaceSegment { segment: 2, bytes: vec![0; 12] },
            Mutation::XorSegment { segment: 4, at: 0, mask: vec![1] },
            Mutation::XorSegment { segment: 3, at: 7, mask: vec![0x80] },
            Mutation::ResizeSegment { segment: 3, len: 1 },
            Mutation::SwapSegments(1, 4),
            Mutation::SetMember(Member::Kid, Json::Str("other".into())),
            Mutation::SetMember(Member::Other("x".into()), Json::Int(1)),
            Mutation::RemoveMember(Member::Kid),
            Mutation::ReplaceChar { at: 3, with: if jwe_char == 'A' { 'B' } else { 'A' } },
            Mutation::Marker('!'),
            Mutation::Marker('('),
        ];
        for mutation in changes {
            let case = Case { blob, mutation };
            let (orig, changed) = fuzz_bodies::mutated(&case);
            assert_eq!(orig, original);
            assert_ne!(changed, orig, "{case:?} changed nothing");
            assert!(!opens(&changed), "{case:?} opened");
            fuzz_bodies::mutate_valid_case(&case);
            checked += 1;
        }
        let identities = [
            Mutation::XorSegment { segment: 4, at: 0, mask: vec![0; 4] },
            Mutation::SwapSegments(2, 2),
            Mutation::SetMember(Member::Kid, Json::Str("fuzz".into())),
            Mutation::ReplaceChar { at: 3, with: jwe_char },
            Mutation::Marker(')'),
        ];
        for mutation in identities {
            let case = Case { blob, mutation };
            let (orig, same) = fuzz_bodies::mutated(&case);
            assert_eq!(same, orig, "{case:?}");
            assert!(opens(&same));
            checked += 1;
        }
        // The marker is not authenticated: the long prefix's length byte is an equivalent marker.
        let case = Case { blob, mutation: Mutation::Marker('-') };
        let (_, dash) = fuzz_bodies::mutated(&case);
        assert!(opens(&dash));
        fuzz_bodies::mutate_valid_case(&case);
    }
    assert_eq!(checked, 6 * 16);
}
