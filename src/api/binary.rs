//! ITI-68 raw Binary content, streamed from the stored JSON: the base64 `data` is found without
//! building a JSON tree (borrowed from the stored bytes) and decoded chunk by chunk while the
//! response is sent. A large document is held once, as stored, instead of as stored bytes, a JSON
//! tree, its string and its decoded bytes all at once.

use std::borrow::Cow;

use axum::body::Body;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use serde::Deserialize;

/// Base64 characters decoded per chunk (a multiple of 4: 48 KiB of content).
const CHUNK: usize = 64 * 1024;

#[derive(Deserialize)]
struct View<'a> {
    #[serde(rename = "contentType", borrow, default)]
    content_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    data: Option<Cow<'a, str>>,
}

/// A Binary's content, ready to stream.
pub struct Content {
    /// `Binary.contentType` (`application/octet-stream` when absent).
    pub content_type: String,
    /// Decoded length in bytes.
    pub length: u64,
    /// The decoded bytes, as a streaming body.
    pub body: Body,
}

/// The content of the stored Binary JSON `stored`, or `None` when it is not a readable Binary.
pub fn content(stored: Vec<u8>) -> Option<Content> {
    let stored = Bytes::from(stored);
    let view: View<'_> = serde_json::from_slice(&stored).ok()?;
    let content_type = view
        .content_type
        .map_or_else(|| "application/octet-stream".to_owned(), Cow::into_owned);
    let encoded = match view.data {
        None => Bytes::new(),
        Some(Cow::Borrowed(s)) => stored.slice_ref(s.as_bytes()),
        Some(Cow::Owned(s)) => Bytes::from(s),
    };
    // base64Binary may carry whitespace (R4 allows it); chunks must then be cut on clean text.
    let encoded = if encoded.iter().any(u8::is_ascii_whitespace) {
        let clean: Vec<u8> = encoded
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        Bytes::from(clean)
    } else {
        encoded
    };
    let padding = encoded.iter().rev().take(2).filter(|b| **b == b'=').count();
    let length = (encoded.len() / 4 * 3).saturating_sub(padding) as u64;
    let chunks = futures::stream::unfold((encoded, 0usize), |(encoded, at)| async move {
        if at >= encoded.len() {
            return None;
        }
        let end = (at + CHUNK).min(encoded.len());
        let chunk = STANDARD
            .decode(&encoded[at..end])
            .map(Bytes::from)
            .map_err(std::io::Error::other);
        Some((chunk, (encoded, end)))
    });
    Some(Content {
        content_type,
        length,
        body: Body::from_stream(chunks),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn decoded(stored: &str) -> (Content, Vec<u8>) {
        let mut c = content(stored.as_bytes().to_vec()).expect("a Binary");
        let body = std::mem::replace(&mut c.body, Body::empty());
        let bytes = body.collect().await.expect("stream").to_bytes().to_vec();
        (c, bytes)
    }

    #[tokio::test]
    async fn large_contents_decode_across_chunks_with_their_length() {
        let original: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        for size in [0, 1, 2, 3, CHUNK / 4 * 3, CHUNK / 4 * 3 + 1, original.len()] {
            let data = STANDARD.encode(&original[..size]);
            let stored = format!(
                r#"{{"resourceType":"Binary","id":"b","data":"{data}","contentType":"application/pdf"}}"#
            );
            let (c, bytes) = decoded(&stored).await;
            assert_eq!(bytes, &original[..size], "size {size}");
            assert_eq!(c.length, size as u64);
            assert_eq!(c.content_type, "application/pdf");
        }
    }

    #[tokio::test]
    async fn whitespace_and_escapes_in_the_base64_are_tolerated() {
        let original =
            b"compte rendu fictif, assez long pour plusieurs lignes de base64 MIME".repeat(20);
        let data = STANDARD.encode(&original);
        let lines: Vec<&str> = data
            .as_bytes()
            .chunks(76)
            .map(|l| std::str::from_utf8(l).unwrap())
            .collect();
        let stored = format!(
            r#"{{"resourceType":"Binary","contentType":"text\/plain","data":"{}"}}"#,
            lines.join("\\r\\n")
        );
        let (c, bytes) = decoded(&stored).await;
        assert_eq!(bytes, original);
        assert_eq!(c.length, original.len() as u64);
        assert_eq!(c.content_type, "text/plain");
    }

    #[tokio::test]
    async fn a_binary_without_data_is_empty_and_not_json_is_none() {
        let (c, bytes) = decoded(r#"{"resourceType":"Binary"}"#).await;
        assert!(bytes.is_empty());
        assert_eq!(c.content_type, "application/octet-stream");
        assert!(content(b"not json".to_vec()).is_none());
    }
}
