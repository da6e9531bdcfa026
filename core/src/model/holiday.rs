use crate::ids::CalendarId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A set of holiday dates, in the site's time zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayCalendar {
    /// The calendar.
    pub id: CalendarId,
    /// The holidays.
    pub dates: BTreeSet<NaiveDate>,
}

impl HolidayCalendar {
    /// Whether `date` is a holiday.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.dates.contains(&date)
    }
}
