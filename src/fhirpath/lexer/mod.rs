//! Tokenizer for FHIRPath expressions (<https://hl7.org/fhirpath/N1/#lexical-elements>).
//!
//! Produces a flat token list; keywords are ordinary identifiers here and are
//! recognised by the parser from their position. Comments (`//…`, `/*…*/`) and
//! whitespace are skipped. Any malformed input is a [`FhirPathError::Syntax`].

use super::error::{FhirPathError, Result};

/// Operators and punctuation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sym {
    Dot,
    LBracket,
    RBracket,
    LParen,
    RParen,
    LBrace,
    RBrace,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Amp,
    Pipe,
    Eq,
    Tilde,
    NotEq,
    NotTilde,
    Lt,
    Gt,
    Le,
    Ge,
}

/// One lexical token.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// Plain identifier or keyword.
    Ident(String),
    /// Back-quoted identifier: never a keyword.
    Delimited(String),
    /// String literal, escapes resolved.
    Str(String),
    /// Number literal text: `digits[.digits]`.
    Number(String),
    /// Date literal text without `@`.
    Date(String),
    /// Date-time literal text without `@` (may end with `T`).
    DateTime(String),
    /// Time literal text without `@T`.
    Time(String),
    /// `%name`, `%\`name\`` or `%'name'`.
    Var(String),
    /// `$this`, `$index`, `$total` (name without `$`).
    Special(String),
    /// Operator or punctuation.
    Sym(Sym),
    /// End of input.
    Eof,
}

/// A token with its byte offset.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub pos: usize,
}

/// Splits `src` into tokens, ending with [`Tok::Eof`].
pub fn tokenize(src: &str) -> Result<Vec<Token>> {
    let mut lexer = Lexer {
        src,
        bytes: src.as_bytes(),
        pos: 0,
    };
    let mut tokens = Vec::new();
    loop {
        lexer.skip_trivia()?;
        let pos = lexer.pos;
        let tok = lexer.next_token()?;
        let end = tok == Tok::Eof;
        tokens.push(Token { tok, pos });
        if end {
            return Ok(tokens);
        }
    }
}

struct Lexer<'s> {
    src: &'s str,
    bytes: &'s [u8],
    pos: usize,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Lexer<'_> {
    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    fn err(&self, message: &str) -> FhirPathError {
        FhirPathError::syntax(self.pos, message)
    }

    fn skip_trivia(&mut self) -> Result<()> {
        loop {
            match (self.peek_at(0), self.peek_at(1)) {
                (Some(b), _) if b.is_ascii_whitespace() => self.pos += 1,
                (Some(b'/'), Some(b'/')) => {
                    while self.peek_at(0).is_some_and(|b| b != b'\n') {
                        self.pos += 1;
                    }
                }
                (Some(b'/'), Some(b'*')) => {
                    let rest = self.src.get(self.pos + 2..).unwrap_or("");
                    let end = rest
                        .find("*/")
                        .ok_or_else(|| self.err("unterminated comment"))?;
                    self.pos += end + 4;
                }
                _ => return Ok(()),
            }
        }
    }

    fn next_token(&mut self) -> Result<Tok> {
        let Some(b) = self.peek_at(0) else {
            return Ok(Tok::Eof);
        };
        match b {
            b'\'' => self.quoted(b'\'').map(Tok::Str),
            b'`' => self.quoted(b'`').map(Tok::Delimited),
            b'@' => self.date_time(),
            b'%' => self.variable(),
            b'$' => self.special(),
            b'0'..=b'9' => Ok(self.number()),
            b if is_ident_start(b) => Ok(Tok::Ident(self.ident().to_owned())),
            _ => self.symbol().map(Tok::Sym),
        }
    }

    fn ident(&mut self) -> &str {
        let start = self.pos;
        while self.peek_at(0).is_some_and(is_ident_char) {
            self.pos += 1;
        }
        self.src.get(start..self.pos).unwrap_or("")
    }

    fn symbol(&mut self) -> Result<Sym> {
        let two = (self.peek_at(0), self.peek_at(1));
        let (sym, len) = match two {
            (Some(b'!'), Some(b'=')) => (Sym::NotEq, 2),
            (Some(b'!'), Some(b'~')) => (Sym::NotTilde, 2),
            (Some(b'<'), Some(b'=')) => (Sym::Le, 2),
            (Some(b'>'), Some(b'=')) => (Sym::Ge, 2),
            (Some(b), _) => (
                single_symbol(b).ok_or_else(|| self.err("unexpected character"))?,
                1,
            ),
            (None, _) => return Err(self.err("unexpected end")),
        };
        self.pos += len;
        Ok(sym)
    }

    /// Reads a quoted string or delimited identifier, resolving escapes.
    fn quoted(&mut self, quote: u8) -> Result<String> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = self.src.get(self.pos..).unwrap_or("");
            let mut chars = rest.chars();
            let c = chars
                .next()
                .ok_or_else(|| FhirPathError::syntax(start, "unterminated string"))?;
            self.pos += c.len_utf8();
            match c {
                c if c as u32 == u32::from(quote) => return Ok(out),
                '\\' => out.push(self.escape()?),
                c => out.push(c),
            }
        }
    }

    fn escape(&mut self) -> Result<char> {
        let c = self
            .peek_at(0)
            .ok_or_else(|| self.err("unterminated escape"))?;
        self.pos += 1;
        Ok(match c {
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'f' => '\u{c}',
            b'u' => {
                let hex = self
                    .src
                    .get(self.pos..self.pos + 4)
                    .ok_or_else(|| self.err("bad \\u escape"))?;
                let code = u32::from_str_radix(hex, 16).map_err(|_| self.err("bad \\u escape"))?;
                self.pos += 4;
                char::from_u32(code).ok_or_else(|| self.err("bad \\u escape"))?
            }
            other if other.is_ascii() => char::from(other),
            _ => return Err(self.err("bad escape")),
        })
    }

    fn number(&mut self) -> Tok {
        let start = self.pos;
        self.skip_digits();
        if self.peek_at(0) == Some(b'.') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
            self.skip_digits();
        }
        Tok::Number(self.src.get(start..self.pos).unwrap_or("0").to_owned())
    }

    fn skip_digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek_at(0).is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn variable(&mut self) -> Result<Tok> {
        self.pos += 1;
        match self.peek_at(0) {
            Some(b'`') => self.quoted(b'`').map(Tok::Var),
            Some(b'\'') => self.quoted(b'\'').map(Tok::Var),
            Some(b'"') => self.quoted(b'"').map(Tok::Var),
            Some(b) if is_ident_start(b) => {
                let mut name = self.ident().to_owned();
                // FHIR's %vs-name and %ext-name constants contain hyphens.
                if name == "vs" || name == "ext" {
                    while self
                        .peek_at(0)
                        .is_some_and(|b| is_ident_char(b) || b == b'-')
                    {
                        name.push(char::from(self.bytes[self.pos]));
                        self.pos += 1;
                    }
                }
                Ok(Tok::Var(name))
            }
            _ => Err(self.err("expected a variable name after %")),
        }
    }

    fn special(&mut self) -> Result<Tok> {
        self.pos += 1;
        let name = self.ident().to_owned();
        match name.as_str() {
            "this" | "index" | "total" => Ok(Tok::Special(name)),
            _ => Err(self.err("unknown $ variable")),
        }
    }
}

fn single_symbol(b: u8) -> Option<Sym> {
    Some(match b {
        b'.' => Sym::Dot,
        b'[' => Sym::LBracket,
        b']' => Sym::RBracket,
        b'(' => Sym::LParen,
        b')' => Sym::RParen,
        b'{' => Sym::LBrace,
        b'}' => Sym::RBrace,
        b',' => Sym::Comma,
        b'+' => Sym::Plus,
        b'-' => Sym::Minus,
        b'*' => Sym::Star,
        b'/' => Sym::Slash,
        b'&' => Sym::Amp,
        b'|' => Sym::Pipe,
        b'=' => Sym::Eq,
        b'~' => Sym::Tilde,
        b'<' => Sym::Lt,
        b'>' => Sym::Gt,
        _ => return None,
    })
}

mod datetime;

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        tokenize(src).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn lexes_paths_and_operators() {
        assert_eq!(
            toks("a.b != 'x' // c"),
            vec![
                Tok::Ident("a".into()),
                Tok::Sym(Sym::Dot),
                Tok::Ident("b".into()),
                Tok::Sym(Sym::NotEq),
                Tok::Str("x".into()),
                Tok::Eof
            ]
        );
        assert_eq!(toks("1.5.x")[0], Tok::Number("1.5".into()));
        assert_eq!(toks("1.x")[0], Tok::Number("1".into()));
    }

    #[test]
    fn lexes_escapes_and_variables() {
        assert_eq!(toks(r"'\u0065\'\n'")[0], Tok::Str("e'\n".into()));
        assert_eq!(toks("%`vs-x`")[0], Tok::Var("vs-x".into()));
        assert_eq!(toks("%\"vs-y\"")[0], Tok::Var("vs-y".into()));
        assert_eq!(
            toks("%vs-administrative-gender")[0],
            Tok::Var("vs-administrative-gender".into())
        );
        assert_eq!(toks("$this")[0], Tok::Special("this".into()));
    }

    #[test]
    fn rejects_malformed_input() {
        for src in ["'abc", "/* x", "`a", "#", "$foo", r"'\u12'", "%", "'\\"] {
            assert!(tokenize(src).is_err(), "{src}");
        }
    }
}
