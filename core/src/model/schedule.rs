//! Weekly schedules in the site's local time, with overnight windows and holidays.
//!
//! A window is wall-clock time in the site's time zone: "08:00–18:00" means those local
//! hours whatever the UTC offset, so DST needs no special case. On the spring-forward day
//! the skipped hour simply never occurs; on the fall-back day the repeated hour is inside
//! a window twice. An overnight window (end before start) belongs to the day it starts:
//! "Fri 22:00–06:00" covers Saturday 03:00, and a Saturday holiday does not cut it short.

use crate::ids::{CalendarId, ScheduleId};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};

const MINUTES_PER_DAY: u16 = 24 * 60;

/// A set of weekdays; bit 0 is Monday, bit 6 Sunday.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Weekdays(pub u8);

impl Weekdays {
    /// Monday to Friday.
    pub const WORKDAYS: Weekdays = Weekdays(0b001_1111);
    /// Every day.
    pub const ALL: Weekdays = Weekdays(0b111_1111);

    /// Whether the set holds the weekday of `date`.
    pub fn contains(self, date: NaiveDate) -> bool {
        self.0 & (1 << date.weekday().num_days_from_monday()) != 0
    }
}

/// A span of local wall-clock time within a day, in minutes after midnight. If `end` is not
/// after `start`, the span runs past midnight and ends at `end` the next day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    /// First minute inside (0..1440).
    pub start: u16,
    /// First minute outside (1..=1440; 1440 is the next midnight).
    pub end: u16,
}

/// Why a time range is not one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a time range starts in 00:00..23:59, ends in 00:01..24:00 and is not empty")]
pub struct TimeRangeError;

impl TimeRange {
    /// The whole day.
    pub const ALL_DAY: TimeRange = TimeRange {
        start: 0,
        end: MINUTES_PER_DAY,
    };

    /// A range from `start` to `end` minutes after midnight.
    pub fn new(start: u16, end: u16) -> Result<Self, TimeRangeError> {
        if start < MINUTES_PER_DAY && (1..=MINUTES_PER_DAY).contains(&end) && start != end {
            Ok(TimeRange { start, end })
        } else {
            Err(TimeRangeError)
        }
    }

    /// A range between two `(hour, minute)` times.
    pub fn hm(start: (u16, u16), end: (u16, u16)) -> Result<Self, TimeRangeError> {
        TimeRange::new(start.0 * 60 + start.1, end.0 * 60 + end.1)
    }

    fn is_overnight(self) -> bool {
        self.end <= self.start
    }

    /// Whether minute `m` of the day the range starts is inside it.
    fn covers_on_start_day(self, m: u16) -> bool {
        m >= self.start && (self.is_overnight() || m < self.end)
    }

    /// Whether minute `m` of the day after the range starts is inside it.
    fn covers_on_next_day(self, m: u16) -> bool {
        self.is_overnight() && m < self.end
    }
}

/// A time range on some weekdays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyWindow {
    /// The days the range starts on.
    pub days: Weekdays,
    /// The hours.
    pub time: TimeRange,
}

/// When a grant is usable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// The schedule.
    pub id: ScheduleId,
    /// The weekly windows of ordinary days.
    pub windows: Vec<WeeklyWindow>,
    /// The holidays on which the weekly windows do not apply.
    pub holidays: Option<CalendarId>,
    /// The hours that apply instead on a holiday (often none).
    pub holiday_windows: Vec<TimeRange>,
}

/// The answer of a schedule at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScheduleCheck {
    /// Inside a window.
    Open,
    /// Outside every window.
    Closed,
    /// A weekly window would be open, but its day is a holiday.
    ClosedForHoliday,
}

impl Schedule {
    /// A schedule that is always open ("24/7").
    pub fn always(id: ScheduleId) -> Self {
        Schedule {
            id,
            windows: vec![WeeklyWindow {
                days: Weekdays::ALL,
                time: TimeRange::ALL_DAY,
            }],
            holidays: None,
            holiday_windows: Vec::new(),
        }
    }

    /// Whether the schedule is open at every moment, so judging it needs no clock.
    pub fn is_always(&self) -> bool {
        self.holidays.is_none()
            && self
                .windows
                .iter()
                .any(|w| w.days == Weekdays::ALL && w.time == TimeRange::ALL_DAY)
    }

    /// Whether the schedule is open at `local` (wall-clock time in the site's zone);
    /// `is_holiday` tells whether a date is in this schedule's holiday calendar.
    pub fn check(
        &self,
        local: NaiveDateTime,
        is_holiday: impl Fn(NaiveDate) -> bool,
    ) -> ScheduleCheck {
        let today = local.date();
        let minute =
            u16::try_from(local.hour() * 60 + local.minute()).expect("minutes of a day fit u16");
        let yesterday = today.pred_opt();
        // Each candidate: (the day the range started, whether it covers this minute).
        let mut blocked_by_holiday = false;
        for window in &self.windows {
            let started = if window.days.contains(today) && window.time.covers_on_start_day(minute)
            {
                Some(today)
            } else {
                yesterday
                    .filter(|&y| window.days.contains(y) && window.time.covers_on_next_day(minute))
            };
            if let Some(day) = started {
                if self.holidays.is_some() && is_holiday(day) {
                    blocked_by_holiday = true;
                } else {
                    return ScheduleCheck::Open;
                }
            }
        }
        if self.holidays.is_some() {
            let open_on_holiday = self.holiday_windows.iter().any(|range| {
                (range.covers_on_start_day(minute) && is_holiday(today))
                    || (range.covers_on_next_day(minute) && yesterday.is_some_and(&is_holiday))
            });
            if open_on_holiday {
                return ScheduleCheck::Open;
            }
        }
        if blocked_by_holiday {
            ScheduleCheck::ClosedForHoliday
        } else {
            ScheduleCheck::Closed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str, hm: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(&format!("{date} {hm}"), "%Y-%m-%d %H:%M").unwrap()
    }

    fn office_hours() -> Schedule {
        Schedule {
            id: ScheduleId(1),
            windows: vec![WeeklyWindow {
                days: Weekdays::WORKDAYS,
                time: TimeRange::hm((8, 0), (18, 0)).unwrap(),
            }],
            holidays: Some(CalendarId(1)),
            holiday_windows: vec![],
        }
    }

    // 2026-12-25 is a Friday, 2026-12-26 a Saturday.
    #[test]
    fn office_hours_open_closed_and_holiday() {
        let s = office_hours();
        let christmas = |d: NaiveDate| d == NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        assert_eq!(
            s.check(at("2026-12-24", "08:00"), christmas),
            ScheduleCheck::Open
        );
        assert_eq!(
            s.check(at("2026-12-24", "17:59"), christmas),
            ScheduleCheck::Open
        );
        assert_eq!(
            s.check(at("2026-12-24", "18:00"), christmas),
            ScheduleCheck::Closed
        );
        assert_eq!(
            s.check(at("2026-12-24", "07:59"), christmas),
            ScheduleCheck::Closed
        );
        assert_eq!(
            s.check(at("2026-12-26", "10:00"), christmas),
            ScheduleCheck::Closed
        );
        assert_eq!(
            s.check(at("2026-12-25", "10:00"), christmas),
            ScheduleCheck::ClosedForHoliday
        );
    }

    #[test]
    fn overnight_window_belongs_to_its_start_day() {
        let night = Schedule {
            id: ScheduleId(2),
            windows: vec![WeeklyWindow {
                days: Weekdays(1 << 4), // Friday
                time: TimeRange::hm((22, 0), (6, 0)).unwrap(),
            }],
            holidays: Some(CalendarId(1)),
            holiday_windows: vec![],
        };
        let saturday_holiday = |d: NaiveDate| d == NaiveDate::from_ymd_opt(2026, 12, 26).unwrap();
        assert_eq!(
            night.check(at("2026-12-25", "21:59"), |_| false),
            ScheduleCheck::Closed
        );
        assert_eq!(
            night.check(at("2026-12-25", "23:30"), |_| false),
            ScheduleCheck::Open
        );
        assert_eq!(
            night.check(at("2026-12-26", "05:59"), saturday_holiday),
            ScheduleCheck::Open
        );
        assert_eq!(
            night.check(at("2026-12-26", "06:00"), |_| false),
            ScheduleCheck::Closed
        );
        // Thursday night is not in the schedule.
        assert_eq!(
            night.check(at("2026-12-25", "03:00"), |_| false),
            ScheduleCheck::Closed
        );
    }

    #[test]
    fn holiday_windows_replace_weekly_ones() {
        let mut s = office_hours();
        s.holiday_windows = vec![TimeRange::hm((10, 0), (12, 0)).unwrap()];
        let christmas = |d: NaiveDate| d == NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        assert_eq!(
            s.check(at("2026-12-25", "11:00"), christmas),
            ScheduleCheck::Open
        );
        assert_eq!(
            s.check(at("2026-12-25", "09:00"), christmas),
            ScheduleCheck::ClosedForHoliday
        );
    }

    #[test]
    fn ranges_are_validated() {
        assert!(TimeRange::new(0, 1440).is_ok());
        assert!(TimeRange::new(600, 600).is_err());
        assert!(TimeRange::new(1440, 10).is_err());
        assert!(TimeRange::new(10, 1441).is_err());
        assert!(Schedule::always(ScheduleId(9)).is_always());
        assert!(!office_hours().is_always());
    }
}
