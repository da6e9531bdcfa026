//! The door controller runtime (sync client, journal, door state machine). Its work is the
//! door controller issue; until then only the binary's shell exists.
