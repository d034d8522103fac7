//! The ASE's local time and working hours. Timezone offsets come from the host through
//! [`TzOffsets`] (the browser's `Intl` already carries the tz database).

/// Port to a timezone database.
pub trait TzOffsets {
    /// Offset from UTC in minutes (east positive) of IANA zone `tz` at the instant `utc_ms`;
    /// `None` when the zone is unknown.
    fn offset_minutes(&self, tz: &str, utc_ms: i64) -> Option<i32>;
}
