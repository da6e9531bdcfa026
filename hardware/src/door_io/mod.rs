//! (being built: issue 4)
