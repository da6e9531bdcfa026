//! Output lines for unit tests: one that remembers every level, one that always fails.

use super::{Level, OutputError, OutputLine};
use std::sync::{Arc, Mutex};

/// Every level a [`TestLine`] was driven to, in order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Levels(Arc<Mutex<Vec<Level>>>);

impl Levels {
    pub(crate) fn get(&self) -> Vec<Level> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

#[derive(Debug)]
pub(crate) struct TestLine(Levels);

impl TestLine {
    pub(crate) fn new() -> (Self, Levels) {
        let levels = Levels::default();
        (TestLine(levels.clone()), levels)
    }
}

impl OutputLine for TestLine {
    fn drive(&mut self, level: Level) -> Result<(), OutputError> {
        if let Ok(mut v) = (self.0).0.lock() {
            v.push(level);
        }
        Ok(())
    }
}

#[derive(Debug)]
pub(crate) struct FailingLine;

impl OutputLine for FailingLine {
    fn drive(&mut self, _: Level) -> Result<(), OutputError> {
        Err(OutputError::Line {
            line: "broken".into(),
            reason: "refused".into(),
        })
    }
}
