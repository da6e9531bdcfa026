//! Real readers reaching decisions in the real `gatehouse-door run` process: the doors on
//! the simulator (`backend = "sim"`), a real reader beside them on a pseudo-terminal — a
//! QR scanner, an OSDP reader (libosdp's peripheral device) — as on a laptop bench. A
//! reader whose port is missing is offline and does not stop the other doors.

mod gpio;
mod offline;
mod osdp;
mod qr;
mod support;
