//! Calendar dates without a time zone (birth dates, "since" dates) and the
//! bounds a form puts on them ("1900-01-01", "today", "today-16y").

use std::fmt;

use serde::{Deserialize, Serialize};

/// A day of the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    pub fn new(year: i32, month: u32, day: u32) -> Option<Self> {
        (1..=12)
            .contains(&month)
            .then_some(())
            .filter(|()| day >= 1 && day <= days_in_month(year, month))
            .map(|()| Self { year, month, day })
    }

    /// Parses `YYYY-MM-DD`, the value of an HTML date input.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.splitn(3, '-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 || !text.is_ascii() {
            return None;
        }
        Self::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// The civil date of a day count since 1970-01-01 (H. Hinnant's algorithm).
    pub fn from_days_since_epoch(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Self { year, month, day }
    }

    /// The same day `years` earlier (29 February becomes 28 February).
    pub fn years_before(self, years: i32) -> Self {
        let year = self.year - years;
        let day = self.day.min(days_in_month(year, self.month));
        Self {
            year,
            month: self.month,
            day,
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A limit on a date field: a fixed day, today, or today minus whole years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum DateBound {
    Fixed(Date),
    YearsBeforeToday(i32),
}

impl DateBound {
    pub fn resolve(self, today: Date) -> Date {
        match self {
            Self::Fixed(date) => date,
            Self::YearsBeforeToday(years) => today.years_before(years),
        }
    }
}

impl TryFrom<String> for DateBound {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        if text == "today" {
            return Ok(Self::YearsBeforeToday(0));
        }
        if let Some(years) = text
            .strip_prefix("today-")
            .and_then(|rest| rest.strip_suffix('y'))
            .and_then(|n| n.parse::<i32>().ok())
        {
            return Ok(Self::YearsBeforeToday(years));
        }
        Date::parse(&text).map(Self::Fixed).ok_or_else(|| {
            format!("`{text}` is not a date bound: expected YYYY-MM-DD, `today` or `today-<N>y`")
        })
    }
}

impl From<DateBound> for String {
    fn from(bound: DateBound) -> Self {
        match bound {
            DateBound::Fixed(date) => date.to_string(),
            DateBound::YearsBeforeToday(0) => "today".to_owned(),
            DateBound::YearsBeforeToday(years) => format!("today-{years}y"),
        }
    }
}

/// A moment in UTC to the second, as documents and logs record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcTime {
    pub date: Date,
    pub seconds_of_day: u64,
}

impl UtcTime {
    pub fn at(time: std::time::SystemTime) -> Self {
        let seconds = time
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let days = i64::try_from(seconds / 86_400).unwrap_or(0);
        Self {
            date: Date::from_days_since_epoch(days),
            seconds_of_day: seconds % 86_400,
        }
    }

    pub fn now() -> Self {
        Self::at(std::time::SystemTime::now())
    }

    /// RFC 3339, e.g. `2026-11-23T01:42:07Z`.
    pub fn rfc3339(self) -> String {
        let s = self.seconds_of_day;
        format!(
            "{}T{:02}:{:02}:{:02}Z",
            self.date,
            s / 3600,
            s % 3600 / 60,
            s % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_real_days() {
        assert_eq!(Date::parse("2024-02-29"), Date::new(2024, 2, 29));
        assert_eq!(Date::parse("2023-02-29"), None);
        assert_eq!(Date::parse("2023-13-01"), None);
        assert_eq!(Date::parse("23-01-01"), None);
        assert_eq!(Date::parse("2023-1-01"), None);
    }

    #[test]
    fn civil_dates_from_day_counts() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(
            Date::from_days_since_epoch(20_415).to_string(),
            "2025-11-23"
        );
        assert_eq!(Date::from_days_since_epoch(-1).to_string(), "1969-12-31");
    }

    #[test]
    fn bounds_relative_to_today() {
        let today = Date::new(2026, 11, 23).unwrap();
        let bound = DateBound::try_from("today-16y".to_owned()).unwrap();
        assert_eq!(bound.resolve(today).to_string(), "2010-11-23");
        let leap = Date::new(2024, 2, 29).unwrap();
        assert_eq!(leap.years_before(1).to_string(), "2023-02-28");
        assert!(DateBound::try_from("yesterday".to_owned()).is_err());
    }
}
