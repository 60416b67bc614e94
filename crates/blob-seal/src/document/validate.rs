//! The rules of a valid document, each failure a typed error naming the JSON path.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::de::{push_key, DOCUMENT_FIELDS, METADATA_FIELDS, SECRET_FIELDS, TAG_FIELDS, VERSION_FIELDS};
use super::error::clip;
use super::{
    Document, DocumentError, DocumentLimits, FORMAT_VERSION, MAX_DESCRIPTION_LEN, MAX_SECRET_NAME_LEN, MAX_STAGES,
    MAX_STAGE_NAME_LEN, MAX_VERSION_ID_LEN,
};

pub(super) fn validate(document: &Document, limits: &DocumentLimits) -> Result<(), DocumentError> {
    if document.format_version != FORMAT_VERSION {
        return Err(DocumentError::UnknownFormatVersion {
            path: "format_version".to_owned(),
            found: u64::from(document.format_version),
        });
    }
    check_extra(&document.extra, "", DOCUMENT_FIELDS, 1, limits)?;

    let secret = &document.secret;
    if !is_valid_secret_name(&secret.name) {
        return Err(DocumentError::InvalidSecretName { path: "secret.name".to_owned(), name: clip(&secret.name) });
    }
    if let Some(description) = &secret.description {
        if description.len() > MAX_DESCRIPTION_LEN {
            return Err(DocumentError::DescriptionTooLong {
                path: "secret.description".to_owned(),
                len: description.len(),
                max: MAX_DESCRIPTION_LEN,
            });
        }
    }
    check_extra(&secret.extra, "secret", SECRET_FIELDS, 2, limits)?;
    for (index, tag) in secret.tags.iter().flatten().enumerate() {
        check_extra(&tag.extra, &format!("secret.tags[{index}]"), TAG_FIELDS, 4, limits)?;
    }

    let count = document.versions.len();
    if count == 0 {
        return Err(DocumentError::NoVersions { path: "versions".to_owned() });
    }
    if count > limits.max_versions {
        return Err(DocumentError::TooManyVersions { path: "versions".to_owned(), count, max: limits.max_versions });
    }

    // Where each id and each stage was first seen: (version index, stage index).
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut stages: HashMap<&str, (usize, usize)> = HashMap::new();
    for (index, version) in document.versions.iter().enumerate() {
        let meta = &version.version_metadata;
        let base = format!("versions[{index}]");
        let id_len = meta.id.chars().count();
        if id_len == 0 || id_len > MAX_VERSION_ID_LEN {
            return Err(DocumentError::BadVersionId { path: format!("{base}.version_metadata.id"), len: id_len });
        }
        if let Some(first) = ids.insert(meta.id.as_str(), index) {
            return Err(DocumentError::DuplicateVersionId {
                id: clip(&meta.id),
                path: format!("{base}.version_metadata.id"),
                first_path: format!("versions[{first}].version_metadata.id"),
            });
        }
        if meta.secret_name != secret.name {
            return Err(DocumentError::SecretNameMismatch {
                path: format!("{base}.version_metadata.secret_name"),
                found: clip(&meta.secret_name),
                expected: clip(&secret.name),
            });
        }
        for (stage_index, stage) in meta.version_stages.iter().enumerate() {
            let path = stage_path(index, stage_index);
            let len = stage.chars().count();
            if len == 0 || len > MAX_STAGE_NAME_LEN {
                return Err(DocumentError::BadStageName { path, len });
            }
            match stages.get(stage.as_str()) {
                Some(&(first_version, first_stage)) if first_version == index => {
                    return Err(DocumentError::DuplicateStage {
                        stage: clip(stage),
                        first_path: stage_path(first_version, first_stage),
                        second_path: path,
                    });
                }
                Some(&(first_version, first_stage)) => {
                    return Err(DocumentError::StageOnTwoVersions {
                        stage: clip(stage),
                        first_path: stage_path(first_version, first_stage),
                        second_path: path,
                    });
                }
                None => {
                    stages.insert(stage.as_str(), (index, stage_index));
                    if stages.len() > MAX_STAGES {
                        return Err(DocumentError::TooManyStages { path, count: stages.len(), max: MAX_STAGES });
                    }
                }
            }
        }
        let len = version.value.len();
        if len > limits.max_value_len {
            return Err(DocumentError::ValueTooLarge {
                path: format!("{base}.{}", version.value.member_name()),
                len,
                max: limits.max_value_len,
            });
        }
        check_extra(&meta.extra, &format!("{base}.version_metadata"), METADATA_FIELDS, 4, limits)?;
        check_extra(&version.extra, &base, VERSION_FIELDS, 3, limits)?;
    }
    Ok(())
}

fn stage_path(version: usize, stage: usize) -> String {
    format!("versions[{version}].version_metadata.version_stages[{stage}]")
}

/// The service's rule for secret names: `^[a-zA-Z0-9._-]{1,64}$`.
fn is_valid_secret_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_SECRET_NAME_LEN
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Unknown members must not take a known member's name (the output would repeat it) and must not
/// nest deeper than the reader accepts. `depth` is the nesting depth of the object holding them.
fn check_extra(
    extra: &Map<String, Value>,
    parent: &str,
    known: &[&str],
    depth: usize,
    limits: &DocumentLimits,
) -> Result<(), DocumentError> {
    for (key, value) in extra {
        let path = || {
            let mut path = parent.to_owned();
            push_key(&mut path, key);
            path
        };
        if known.contains(&key.as_str()) {
            return Err(DocumentError::ExtraShadowsField { path: path() });
        }
        if nests_deeper(value, depth, limits.max_depth) {
            return Err(DocumentError::ExtraTooDeep { path: path(), max: limits.max_depth });
        }
    }
    Ok(())
}

/// Whether `value`, sitting at nesting depth `depth`, opens an array or object beyond `max`.
/// Iterative, so a value built in code with any depth cannot overflow the stack here.
fn nests_deeper(value: &Value, depth: usize, max: usize) -> bool {
    let mut stack = vec![(value, depth)];
    while let Some((value, depth)) = stack.pop() {
        let inner = depth + 1;
        match value {
            Value::Array(items) => {
                if inner > max {
                    return true;
                }
                stack.extend(items.iter().map(|item| (item, inner)));
            }
            Value::Object(members) => {
                if inner > max {
                    return true;
                }
                stack.extend(members.values().map(|member| (member, inner)));
            }
            _ => {}
        }
    }
    false
}
