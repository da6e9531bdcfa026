//! The things Gatehouse knows about: sites, zones, doors, people, badges, access groups,
//! schedules, holidays, visitor passes and property passes.

mod access_group;
mod badge;
mod door;
mod holiday;
mod person;
mod property;
mod schedule;
mod site;
mod visitor;
mod zone;

pub use access_group::{AccessGroup, Grant};
pub use badge::{Badge, BadgeCredential, BadgeStatus};
pub use door::{Direction, Door, Reader};
pub use holiday::HolidayCalendar;
pub use person::{GroupList, Person, PersonFlags, Pin, PinVerifier};
pub use property::{Item, ItemId, PropertyPass, PropertyPassStatus};
pub use schedule::{Schedule, ScheduleCheck, TimeRange, Weekdays, WeeklyWindow};
pub use site::Site;
pub use visitor::{VisitorPass, VisitorPassStatus};
pub use zone::{Zone, ZoneRules};
