//! Lexing of `@` date, date-time and time literals.
//!
//! `@YYYY[-MM[-DD]]` is a date; adding `T[hh[:mm[:ss[.f+]]]][Z|±hh:mm]` makes a
//! date-time; `@Thh[:mm[:ss[.f+]]]` is a time. Validation of ranges happens when
//! the parser converts the text.

use super::{Lexer, Tok};
use crate::fhirpath::error::Result;

impl Lexer<'_> {
    /// Lexes a literal starting at `@`.
    pub(super) fn date_time(&mut self) -> Result<Tok> {
        self.pos += 1;
        let start = self.pos;
        if self.peek_at(0) == Some(b'T') {
            self.pos += 1;
            if !self.time_part() {
                return Err(self.err("malformed time literal"));
            }
            return Ok(Tok::Time(self.text_from(start + 1)));
        }
        if self.skip_digits() != 4 {
            return Err(self.err("malformed date literal"));
        }
        for _ in 0..2 {
            if self.peek_at(0) == Some(b'-') && self.two_digits_at(1) {
                self.pos += 3;
            }
        }
        if self.peek_at(0) != Some(b'T') {
            return Ok(Tok::Date(self.text_from(start)));
        }
        self.pos += 1;
        if self.two_digits_at(0) {
            self.time_part();
            self.zone();
        }
        Ok(Tok::DateTime(self.text_from(start)))
    }

    fn text_from(&self, start: usize) -> String {
        self.src.get(start..self.pos).unwrap_or("").to_owned()
    }

    fn two_digits_at(&self, offset: usize) -> bool {
        self.peek_at(offset).is_some_and(|b| b.is_ascii_digit())
            && self.peek_at(offset + 1).is_some_and(|b| b.is_ascii_digit())
    }

    /// `hh[:mm[:ss[.f+]]]`; false when not even the hour is there.
    fn time_part(&mut self) -> bool {
        if !self.two_digits_at(0) {
            return false;
        }
        self.pos += 2;
        for _ in 0..2 {
            if self.peek_at(0) == Some(b':') && self.two_digits_at(1) {
                self.pos += 3;
            } else {
                return true;
            }
        }
        if self.peek_at(0) == Some(b'.') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
            self.skip_digits();
        }
        true
    }

    /// Optional `Z` or `±hh:mm`.
    fn zone(&mut self) {
        match self.peek_at(0) {
            Some(b'Z') => self.pos += 1,
            Some(b'+' | b'-')
                if self.two_digits_at(1)
                    && self.peek_at(3) == Some(b':')
                    && self.two_digits_at(4) =>
            {
                self.pos += 6;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fhirpath::lexer::{Tok, tokenize};

    fn first(src: &str) -> Tok {
        tokenize(src).unwrap().remove(0).tok
    }

    #[test]
    fn lexes_date_time_literals() {
        assert_eq!(first("@2015-02-04"), Tok::Date("2015-02-04".into()));
        assert_eq!(first("@2015T"), Tok::DateTime("2015T".into()));
        assert_eq!(
            first("@2015-02-04T14:34:28.123+10:00"),
            Tok::DateTime("2015-02-04T14:34:28.123+10:00".into())
        );
        assert_eq!(
            first("@T14:34:28.123.is(Time)"),
            Tok::Time("14:34:28.123".into())
        );
        assert_eq!(
            first("@2014-01-01T08.lowBoundary()"),
            Tok::DateTime("2014-01-01T08".into())
        );
        assert!(tokenize("@12").is_err());
        assert!(tokenize("@T1").is_err());
    }
}
