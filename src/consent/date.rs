//! Calendar dates at day granularity, as the engine needs them (R.1111-53 "one month after",
//! Consent `provision.period`).
//!
//! A FHIR dateTime/instant is reduced to its written calendar date (the offset is not applied):
//! the one-month lift is a calendar rule, and a day of imprecision is accepted.

use super::error::FactsError;

/// A valid proleptic Gregorian calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Number of days of `month` (1-12) in `year`.
fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

impl Date {
    /// Builds a date; fails with [`FactsError::InvalidDate`] if it does not exist.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self, FactsError> {
        if (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month) {
            Ok(Self { year, month, day })
        } else {
            Err(FactsError::InvalidDate(format!(
                "{year:04}-{month:02}-{day:02}"
            )))
        }
    }

    /// Year, month (1-12), day (1-31).
    pub fn ymd(self) -> (i32, u8, u8) {
        (self.year, self.month, self.day)
    }

    /// Reads a FHIR date, dateTime or instant. A partial date (`YYYY` or `YYYY-MM`) is read as its
    /// first day when `latest` is false, as its last day when true (so callers can choose the
    /// conservative end). Fails with [`FactsError::InvalidDate`] on anything else.
    pub fn parse_fhir(text: &str, latest: bool) -> Result<Self, FactsError> {
        let err = || FactsError::InvalidDate(text.to_owned());
        let day_part = text.split('T').next().unwrap_or(text);
        let parts: Vec<&str> = day_part.split('-').collect();
        let num = |s: &str, len: usize| -> Result<u32, FactsError> {
            if s.len() == len && s.chars().all(|c| c.is_ascii_digit()) {
                s.parse().map_err(|_| err())
            } else {
                Err(err())
            }
        };
        let year = i32::try_from(num(parts[0], 4)?).map_err(|_| err())?;
        let month = match parts.get(1) {
            Some(m) => u8::try_from(num(m, 2)?).map_err(|_| err())?,
            None if latest => 12,
            None => 1,
        };
        let day = match parts.get(2) {
            Some(d) => u8::try_from(num(d, 2)?).map_err(|_| err())?,
            None if latest && (1..=12).contains(&month) => days_in_month(year, month),
            None => 1,
        };
        if parts.len() > 3 {
            return Err(err());
        }
        Self::new(year, month, day).map_err(|_| err())
    }

    /// The same day `months` later; a day that does not exist in the target month is clamped to
    /// its last day (31 January + 1 month = 28 or 29 February).
    pub fn plus_months(self, months: u32) -> Self {
        let total = i64::from(self.month) - 1 + i64::from(months);
        let year = self.year + i32::try_from(total / 12).unwrap_or(i32::MAX - self.year);
        let month = u8::try_from(total % 12 + 1).unwrap_or(12);
        let day = self.day.min(days_in_month(year, month));
        Self { year, month, day }
    }

    /// The same day `months` earlier, clamped like [`Date::plus_months`].
    pub fn minus_months(self, months: u32) -> Self {
        let total = i64::from(self.year) * 12 + i64::from(self.month) - 1 - i64::from(months);
        let year = i32::try_from(total.div_euclid(12)).unwrap_or(i32::MIN);
        let month = u8::try_from(total.rem_euclid(12) + 1).unwrap_or(1);
        let day = self.day.min(days_in_month(year, month));
        Self { year, month, day }
    }

    /// The next calendar day.
    pub fn succ(self) -> Self {
        if self.day < days_in_month(self.year, self.month) {
            Self {
                day: self.day + 1,
                ..self
            }
        } else if self.month < 12 {
            Self {
                month: self.month + 1,
                day: 1,
                ..self
            }
        } else {
            Self {
                year: self.year + 1,
                month: 1,
                day: 1,
            }
        }
    }

    /// The latest date `d` such that `d.plus_months(months) <= self`: a document dated on or
    /// before it has passed the delay on `self`. Exact despite clamping (checked by tests).
    pub fn latest_passed(self, months: u32) -> Self {
        let mut candidate = self.minus_months(months);
        // Clamping can make a few later days reach the same target: step forward while they do.
        while candidate.succ().plus_months(months) <= self {
            candidate = candidate.succ();
        }
        candidate
    }
}

impl From<time::Date> for Date {
    /// A `time` date is always a valid calendar date.
    fn from(d: time::Date) -> Self {
        Self {
            year: d.year(),
            month: u8::from(d.month()),
            day: d.day(),
        }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn parses_instant_date_and_partials() {
        assert_eq!(
            Date::parse_fhir("2024-03-01T23:30:00+01:00", false),
            Ok(d(2024, 3, 1))
        );
        assert_eq!(Date::parse_fhir("2024-02", true), Ok(d(2024, 2, 29)));
        assert_eq!(Date::parse_fhir("2024", false), Ok(d(2024, 1, 1)));
        assert!(Date::parse_fhir("2024-02-30", false).is_err());
        assert!(Date::parse_fhir("24-02-01", false).is_err());
    }

    #[test]
    fn plus_one_month_clamps_to_month_end() {
        assert_eq!(d(2025, 1, 31).plus_months(1), d(2025, 2, 28));
        assert_eq!(d(2024, 1, 31).plus_months(1), d(2024, 2, 29));
        assert_eq!(d(2024, 12, 15).plus_months(1), d(2025, 1, 15));
    }

    #[test]
    fn latest_passed_is_exact_around_month_ends() {
        let mut now = d(2023, 12, 1);
        while now < d(2025, 4, 1) {
            let cut = now.latest_passed(1);
            assert!(cut.plus_months(1) <= now, "{now}");
            assert!(cut.succ().plus_months(1) > now, "{now}");
            now = now.succ();
        }
    }
}
