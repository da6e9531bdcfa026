//! decide(): one scenario per reason code, each asserting the exact reason, plus the rules
//! that combine them (nesting, DST, escort, two-person, anti-passback, the clock guard).

mod harness;
mod properties;
mod reasons;
mod rules;
