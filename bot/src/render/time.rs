//! Times and durations as people read them on paper: dates in the configured
//! language and zone (« mar. 1 déc. 2026 21:25 »), durations as they are
//! said (« 5 min », « 1 h 30 », « 72 h »). The words come from the catalogs.
//! Machine formats (the JSON export, the CSV) keep ISO 8601.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};

use tocsin_core::engine::Settings;
use tocsin_core::lang::speech::msg;

/// « mar. 1 déc. 2026 », in the configured language.
pub fn date(settings: &Settings, day: NaiveDate) -> String {
    settings.say(msg!(
        "date-long",
        weekday = msg!("date-weekday", weekday = day.weekday().number_from_monday()),
        day = day.day().to_string(),
        month = msg!("date-month", month = day.month()),
        year = day.year().to_string()
    ))
}

/// « 21:25 », in the configured zone.
pub fn time(settings: &Settings, t: DateTime<Utc>) -> String {
    t.with_timezone(&settings.tz).format("%H:%M").to_string()
}

/// « mar. 1 déc. 2026 21:25 », in the configured zone.
pub fn date_time(settings: &Settings, t: DateTime<Utc>) -> String {
    settings.say(msg!(
        "date-time",
        date = date(settings, local_day(settings, t)),
        time = time(settings, t)
    ))
}

/// The day an instant falls on in the configured zone.
pub fn local_day(settings: &Settings, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&settings.tz).date_naive()
}

/// A duration as people say it: « 5 min », « 2 h », « 1 h 30 », « 72 h »,
/// « 7 jours » (whole days from four on). Rounded down to the minute.
pub fn duration(settings: &Settings, d: TimeDelta) -> String {
    let minutes = d.num_minutes().abs();
    let (hours, rest) = (minutes / 60, minutes % 60);
    if minutes < 60 {
        settings.say(msg!("duration-minutes", minutes))
    } else if minutes % 1440 == 0 && minutes / 1440 >= 4 {
        settings.say(msg!("duration-days", days = minutes / 1440))
    } else if rest == 0 {
        settings.say(msg!("duration-hours", hours))
    } else {
        settings.say(msg!(
            "duration-hours-minutes",
            hours,
            minutes = format!("{rest:02}")
        ))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use tocsin_core::lang::Lang;

    #[test]
    fn dates_and_durations_read_as_people_say_them() {
        let fr = Settings::default();
        let en = Settings {
            lang: Lang::parse("en").unwrap(),
            ..Settings::default()
        };
        // 20:25 UTC is 21:25 in Paris in winter.
        let t = Utc.with_ymd_and_hms(2026, 12, 1, 20, 25, 0).unwrap();
        assert_eq!(date_time(&fr, t), "mar. 1 déc. 2026 21:25");
        assert_eq!(date_time(&en, t), "Tue 1 Dec 2026 21:25");
        let summer = Utc.with_ymd_and_hms(2027, 8, 15, 22, 30, 0).unwrap();
        assert_eq!(date_time(&fr, summer), "lun. 16 août 2027 00:30");
        let d = |m| duration(&fr, TimeDelta::minutes(m));
        assert_eq!(
            [d(5), d(60), d(90), d(125), d(1440), d(4320), d(10080)],
            [
                "5 min", "1 h", "1 h 30", "2 h 05", "24 h", "72 h", "7 jours"
            ]
        );
        assert_eq!(duration(&en, TimeDelta::minutes(90)), "1 h 30 min");
    }
}
