//! Times as Italian users read them: Europe/Rome, CET in winter and CEST in summer.
//!
//! The EU rule (summer time from 01:00 UTC of the last Sunday of March to 01:00 UTC of the last Sunday of
//! October) is all Italy has used since 1996; ten lines here spare a time-zone database in the binary.

use time::{Date, Month, OffsetDateTime, UtcOffset, Weekday};

fn last_sunday(year: i32, month: Month) -> Option<Date> {
    let mut day = Date::from_calendar_date(year, month, month.length(year)).ok()?;
    while day.weekday() != Weekday::Sunday {
        day = day.previous_day()?;
    }
    Some(day)
}

/// The Europe/Rome offset at `utc`.
pub fn offset_rome(utc: OffsetDateTime) -> UtcOffset {
    let year = utc.year();
    let start = last_sunday(year, Month::March).map(|d| d.with_hms(1, 0, 0).map(|t| t.assume_utc()));
    let end = last_sunday(year, Month::October).map(|d| d.with_hms(1, 0, 0).map(|t| t.assume_utc()));
    let summer = matches!((start, end), (Some(Ok(s)), Some(Ok(e))) if utc >= s && utc < e);
    UtcOffset::from_hms(if summer { 2 } else { 1 }, 0, 0).unwrap_or(UtcOffset::UTC)
}

/// `26/11/2026 18:30`: unix seconds in Rome time (the same layout in both languages).
pub fn data_ora(unix: i64) -> String {
    let Ok(utc) = OffsetDateTime::from_unix_timestamp(unix) else { return String::new() };
    let t = utc.to_offset(offset_rome(utc));
    format!("{:02}/{:02}/{} {:02}:{:02}", t.day(), u8::from(t.month()), t.year(), t.hour(), t.minute())
}

/// The calendar day in Rome at `unix` seconds.
pub fn oggi(unix: i64) -> Date {
    let utc = OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    utc.to_offset(offset_rome(utc)).date()
}

/// A day typed as `2026-12-01` (a date input) or `01/12/2026` (Italian), with a four-digit year from 1900 to 2200;
/// anything else, or a day that does not exist, is `None`.
pub fn leggi_giorno(testo: &str) -> Option<Date> {
    let t = testo.trim();
    let parti: Vec<&str> = t.split(['-', '/']).collect();
    let [a, b, c] = parti.as_slice() else { return None };
    let (anno, mese, giorno) = if t.contains('-') { (a, b, c) } else { (c, b, a) };
    // Four digits, and a year a campaign or a log can have: arithmetic on the day never leaves `time`'s range.
    if anno.len() != 4 || !(1900..=2200).contains(&anno.parse::<i32>().ok()?) {
        return None;
    }
    let mese = Month::try_from(mese.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(anno.parse().ok()?, mese, giorno.parse().ok()?).ok()
}

/// The platform's clock: the system's time, which a test can move forward ([`Clock::advance`]) to age tokens,
/// sessions and deadlines the way time would, instead of rewriting rows with SQL. Every node keeps its own; the
/// offset is zero unless a test moved it.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Clock {
    /// Now, in unix seconds (UTC).
    pub fn now(&self) -> i64 {
        OffsetDateTime::now_utc().unix_timestamp() + self.offset.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Moves this clock `seconds` forward (tests).
    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, std::sync::atomic::Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn days_are_read_in_both_forms_and_nothing_else() {
        let d = Date::from_calendar_date(2026, Month::December, 1).ok();
        assert_eq!(leggi_giorno("2026-12-01"), d);
        assert_eq!(leggi_giorno(" 01/12/2026 "), d);
        assert_eq!(leggi_giorno("31/02/2026"), None);
        assert_eq!(leggi_giorno("01/12/26"), None);
        assert_eq!(leggi_giorno("9999-12-31"), None);
        assert_eq!(leggi_giorno("ieri"), None);
        assert_eq!(leggi_giorno(""), None);
    }

    #[test]
    fn rome_is_one_hour_ahead_in_winter_and_two_in_summer() {
        assert_eq!(offset_rome(datetime!(2026-01-15 12:00 UTC)).whole_hours(), 1);
        assert_eq!(offset_rome(datetime!(2026-07-15 12:00 UTC)).whole_hours(), 2);
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(offset_rome(datetime!(2026-03-29 00:59 UTC)).whole_hours(), 1);
        assert_eq!(offset_rome(datetime!(2026-03-29 01:00 UTC)).whole_hours(), 2);
        assert_eq!(offset_rome(datetime!(2026-10-25 00:59 UTC)).whole_hours(), 2);
        assert_eq!(offset_rome(datetime!(2026-10-25 01:00 UTC)).whole_hours(), 1);
    }

    #[test]
    fn times_are_shown_in_rome_time() {
        let t = datetime!(2026-11-26 17:30 UTC).unix_timestamp();
        assert_eq!(data_ora(t), "26/11/2026 18:30");
    }
}
