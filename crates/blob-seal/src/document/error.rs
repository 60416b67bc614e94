//! Errors of parsing and validating a backup document.

/// Why a backup document was refused.
///
/// Every variant about a member carries its JSON path (`versions[1].version_metadata.id`; the
/// document itself is `(root)`). Names, ids, stages and sizes may appear in an error (clipped to 64
/// characters); secret values never do, in `Display` or `Debug`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// The document is larger than [`super::DocumentLimits::max_document_len`]; nothing was parsed.
    #[error("the backup document is {len} bytes, over the limit of {max} bytes")]
    DocumentTooLarge {
        /// Size of the document.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Arrays and objects nest deeper than [`super::DocumentLimits::max_depth`]; nothing was parsed.
    #[error("the backup document nests arrays and objects deeper than {max} levels (at byte {offset})")]
    NestingTooDeep {
        /// The limit.
        max: usize,
        /// Byte offset of the bracket that went over the limit.
        offset: usize,
    },
    /// The document has more items than [`super::DocumentLimits::max_items`]; nothing was parsed.
    #[error("the backup document has more than {max} array elements and object members (at byte {offset})")]
    TooManyItems {
        /// The limit.
        max: usize,
        /// Byte offset of the comma or bracket that went over the limit.
        offset: usize,
    },
    /// The document is not well-formed JSON (or has something after the top-level value).
    #[error("the backup document is not valid JSON at line {line}, column {column}: {message}")]
    Syntax {
        /// Line of the error, from 1.
        line: usize,
        /// Column of the error, from 1.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// A member has the wrong type or a required member is missing.
    #[error("the backup document is wrong at `{path}`: {message}")]
    Schema {
        /// JSON path of the member (or of the object missing a member).
        path: String,
        /// What was wrong; a string found where something else was expected is not quoted.
        message: String,
    },
    /// A member name appears twice in one object.
    #[error("the member {name:?} appears twice in the object at `{path}`")]
    DuplicateMember {
        /// JSON path of the object.
        path: String,
        /// The repeated member name.
        name: String,
    },
    /// `secret.state` is not one of the API's states.
    #[error("the secret state at `{path}`{} is not one of ENABLED, DISABLED, PENDING_DELETE, FROZEN", found.as_ref().map(|f| format!(" ({f:?})")).unwrap_or_default())]
    UnknownState {
        /// JSON path (`secret.state`).
        path: String,
        /// The state found, if it looks like a state name (up to 32 of `A-Z`, `0-9`, `_`); anything
        /// else is not repeated, in case a value was put in the wrong member.
        found: Option<String>,
    },
    /// A `secret_binary` is not canonical standard base64 with padding.
    #[error("the binary value at `{path}` is not valid standard base64 with padding")]
    BadBase64 {
        /// JSON path of the `secret_binary` member.
        path: String,
    },
    /// A version has both `secret_string` and `secret_binary`.
    #[error("the version at `{path}` has both secret_string and secret_binary; it must have exactly one")]
    BothValues {
        /// JSON path of the version.
        path: String,
    },
    /// A version has neither `secret_string` nor `secret_binary`.
    #[error("the version at `{path}` has neither secret_string nor secret_binary; it must have exactly one")]
    NoValue {
        /// JSON path of the version.
        path: String,
    },
    /// `format_version` is not one this reader knows.
    #[error("the backup document at `{path}` has format version {found}, but only version 1 is known")]
    UnknownFormatVersion {
        /// JSON path (`format_version`).
        path: String,
        /// The version found.
        found: u64,
    },
    /// The secret name breaks the service's naming rule.
    #[error("the secret name {name:?} at `{path}` must be 1 to 64 characters of a-z, A-Z, 0-9, '.', '_' or '-'")]
    InvalidSecretName {
        /// JSON path (`secret.name`).
        path: String,
        /// The name found (clipped).
        name: String,
    },
    /// The description is over [`super::MAX_DESCRIPTION_LEN`] bytes.
    #[error("the description at `{path}` is {len} bytes, over the limit of {max} bytes")]
    DescriptionTooLong {
        /// JSON path (`secret.description`).
        path: String,
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// `versions` is empty.
    #[error("the backup document has no versions at `{path}`; it needs at least one")]
    NoVersions {
        /// JSON path (`versions`).
        path: String,
    },
    /// More versions than [`super::DocumentLimits::max_versions`].
    #[error("the backup document has {count} versions at `{path}`, over the limit of {max}")]
    TooManyVersions {
        /// JSON path (`versions`).
        path: String,
        /// How many there are.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A version id is empty or longer than [`super::MAX_VERSION_ID_LEN`] characters.
    #[error("the version id at `{path}` is {len} characters; it must be 1 to 64")]
    BadVersionId {
        /// JSON path of the id.
        path: String,
        /// Its length in characters.
        len: usize,
    },
    /// Two versions have the same id.
    #[error("the version id {id:?} at `{path}` is already used at `{first_path}`")]
    DuplicateVersionId {
        /// The id.
        id: String,
        /// JSON path of the second use.
        path: String,
        /// JSON path of the first use.
        first_path: String,
    },
    /// A stage name is empty or longer than [`super::MAX_STAGE_NAME_LEN`] characters.
    #[error("the version stage at `{path}` is {len} characters; it must be 1 to 64")]
    BadStageName {
        /// JSON path of the stage.
        path: String,
        /// Its length in characters.
        len: usize,
    },
    /// One version lists the same stage twice.
    #[error("the version stage {stage:?} is listed twice on one version, at `{first_path}` and `{second_path}`")]
    DuplicateStage {
        /// The stage.
        stage: String,
        /// JSON path of the first listing.
        first_path: String,
        /// JSON path of the second listing.
        second_path: String,
    },
    /// Two versions carry the same stage.
    #[error("the version stage {stage:?} is on two versions, at `{first_path}` and `{second_path}`")]
    StageOnTwoVersions {
        /// The stage.
        stage: String,
        /// JSON path of the stage on the first version.
        first_path: String,
        /// JSON path of the stage on the second version.
        second_path: String,
    },
    /// More than [`super::MAX_STAGES`] distinct stages in the document.
    #[error("the backup document has {count} distinct version stages (the last at `{path}`), over the limit of {max}")]
    TooManyStages {
        /// JSON path of the stage that went over the limit.
        path: String,
        /// How many distinct stages there are.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A value is larger than [`super::DocumentLimits::max_value_len`].
    #[error("the secret value at `{path}` is {len} bytes, over the limit of {max} bytes")]
    ValueTooLarge {
        /// JSON path of the `secret_string` or `secret_binary` member.
        path: String,
        /// Its size in bytes (decoded for binary).
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A version's `secret_name` is not the secret's name.
    #[error("the secret name {found:?} at `{path}` does not match the secret's name {expected:?}")]
    SecretNameMismatch {
        /// JSON path of the version's `secret_name`.
        path: String,
        /// The name found (clipped).
        found: String,
        /// The secret's name (clipped).
        expected: String,
    },
    /// An unknown member (in `extra`) has the name of a known member, so the output would repeat it.
    #[error("the unknown member at `{path}` has the name of a known member")]
    ExtraShadowsField {
        /// JSON path of the member.
        path: String,
    },
    /// An unknown member (in `extra`) nests deeper than [`super::DocumentLimits::max_depth`], so the
    /// document would not open.
    #[error("the unknown member at `{path}` nests deeper than {max} levels")]
    ExtraTooDeep {
        /// JSON path of the member.
        path: String,
        /// The limit.
        max: usize,
    },
}

impl DocumentError {
    /// The JSON path the error is about, if it is about one member.
    pub fn path(&self) -> Option<&str> {
        match self {
            DocumentError::DocumentTooLarge { .. }
            | DocumentError::NestingTooDeep { .. }
            | DocumentError::TooManyItems { .. }
            | DocumentError::Syntax { .. } => None,
            DocumentError::Schema { path, .. }
            | DocumentError::DuplicateMember { path, .. }
            | DocumentError::UnknownState { path, .. }
            | DocumentError::BadBase64 { path }
            | DocumentError::BothValues { path }
            | DocumentError::NoValue { path }
            | DocumentError::UnknownFormatVersion { path, .. }
            | DocumentError::InvalidSecretName { path, .. }
            | DocumentError::DescriptionTooLong { path, .. }
            | DocumentError::NoVersions { path }
            | DocumentError::TooManyVersions { path, .. }
            | DocumentError::BadVersionId { path, .. }
            | DocumentError::DuplicateVersionId { path, .. }
            | DocumentError::BadStageName { path, .. }
            | DocumentError::TooManyStages { path, .. }
            | DocumentError::ValueTooLarge { path, .. }
            | DocumentError::SecretNameMismatch { path, .. }
            | DocumentError::ExtraShadowsField { path }
            | DocumentError::ExtraTooDeep { path, .. } => Some(path),
            DocumentError::DuplicateStage { second_path, .. }
            | DocumentError::StageOnTwoVersions { second_path, .. } => Some(second_path),
        }
    }
}

/// Clips an untrusted name for an error message: at most 64 characters, then an ellipsis.
pub(super) fn clip(text: &str) -> String {
    const MAX: usize = 64;
    match text.char_indices().nth(MAX) {
        None => text.to_owned(),
        Some((cut, _)) => {
            let mut clipped = text.get(..cut).unwrap_or_default().to_owned();
            clipped.push('…');
            clipped
        }
    }
}
