//! QR scanners, each on a thread of its own: a serial scanner in line mode, or a
//! keyboard-wedge scanner read through evdev. A scanner that is missing or unplugged is
//! reported offline and opened again, with back-off, until the controller stops.

use super::super::super::backoff::Backoff;
use super::report::Reporter;
use gatehouse_hardware::qr::{ScannerError, SerialConfig, SerialScanner, WedgeConfig, run_wedge};
use gatehouse_hardware::reader::{ReaderEvent, ReaderHealth, ReaderId};

/// Runs the serial scanner `id` until the controller stops listening.
pub fn serial(id: &ReaderId, config: &SerialConfig, mut reporter: Reporter) {
    let mut backoff = Backoff::default();
    loop {
        match SerialScanner::open(id.clone(), config) {
            Ok(scanner) => {
                backoff.reset();
                tracing::info!(reader = %id, port = %config.path, "QR scanner open");
                // The scanner reports itself online, and offline when its port fails; a
                // read timeout without a scan is the moment to look for a stop.
                let end = scanner.run(|event| match event {
                    Some(event) => reporter.send(event),
                    None => !reporter.stopped(),
                });
                if matches!(end, ScannerError::Stopped) || reporter.stopped() {
                    return;
                }
                tracing::warn!(reader = %id, error = %end, "QR scanner lost; opening it again");
            }
            Err(e) => {
                tracing::warn!(reader = %id, error = %e, "QR scanner cannot be opened");
                if !reporter.offline(id) {
                    return;
                }
            }
        }
        if !reporter.wait(backoff.failed()) {
            return;
        }
    }
}

/// Runs the keyboard-wedge scanner `id`. A read blocks until the next key, so the thread
/// sees the controller gone at the next key or device error (the process ends it anyway).
pub fn wedge(id: &ReaderId, config: &WedgeConfig, mut reporter: Reporter) {
    let mut backoff = Backoff::default();
    loop {
        let mut opened = false;
        let end = run_wedge(id, config, |event| {
            if matches!(
                event,
                ReaderEvent::Health {
                    health: ReaderHealth::Online { .. },
                    ..
                }
            ) {
                opened = true;
            }
            reporter.send(event)
        });
        if reporter.stopped() {
            return;
        }
        tracing::warn!(reader = %id, device = %config.device.display(), error = %end,
            "QR scanner (keyboard wedge) unavailable; opening it again");
        if opened {
            backoff.reset();
        }
        if !reporter.wait(backoff.failed()) {
            return;
        }
    }
}
