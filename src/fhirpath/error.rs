//! Errors of the FHIRPath engine.
//!
//! Every failure is a value, never a panic: a malformed expression is a
//! [`FhirPathError::Syntax`], an expression that cannot be meaningful (unknown
//! function, wrong argument count, unknown type) is a [`FhirPathError::Semantic`],
//! and a failure while evaluating against data (e.g. `single()` on two items,
//! comparing a string with a number) is a [`FhirPathError::Execution`].
//! See <https://hl7.org/fhirpath/N1/#errors>.

/// A FHIRPath failure, categorised by the stage that detected it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FhirPathError {
    /// The expression text does not follow the FHIRPath grammar.
    #[error("FHIRPath syntax error at offset {offset}: {message}")]
    Syntax {
        /// Byte offset in the source where the problem was detected.
        offset: usize,
        /// Human readable description.
        message: String,
    },
    /// The expression parses but cannot be given a meaning.
    #[error("FHIRPath semantic error: {0}")]
    Semantic(String),
    /// Evaluation failed on the given data.
    #[error("FHIRPath evaluation error: {0}")]
    Execution(String),
}

impl FhirPathError {
    /// Builds a [`FhirPathError::Syntax`].
    pub(crate) fn syntax(offset: usize, message: impl Into<String>) -> Self {
        Self::Syntax {
            offset,
            message: message.into(),
        }
    }

    /// Builds a [`FhirPathError::Semantic`].
    pub(crate) fn semantic(message: impl Into<String>) -> Self {
        Self::Semantic(message.into())
    }

    /// Builds a [`FhirPathError::Execution`].
    pub(crate) fn execution(message: impl Into<String>) -> Self {
        Self::Execution(message.into())
    }
}

/// Result alias used throughout the engine.
pub type Result<T> = std::result::Result<T, FhirPathError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_display_their_category() {
        assert!(
            FhirPathError::syntax(3, "x")
                .to_string()
                .contains("offset 3")
        );
        assert!(
            FhirPathError::semantic("y")
                .to_string()
                .contains("semantic")
        );
        assert!(
            FhirPathError::execution("z")
                .to_string()
                .contains("evaluation")
        );
    }
}
