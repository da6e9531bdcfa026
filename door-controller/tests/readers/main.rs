//! Real readers reaching decisions in the real `gatehouse-door run` process: the doors on
//! the simulator (`backend = "sim"`), a real reader beside them as on a laptop bench — a
//! serial QR scanner or an OSDP reader (libosdp's peripheral device) on a pseudo-terminal,
//! a keyboard-wedge scanner's evdev device as a named pipe. A reader whose port is missing
//! is offline and does not stop the other doors; a gpio file on a build without GPIO is
//! refused before anything starts.

mod gpio;
mod offline;
mod osdp;
mod qr;
mod support;
mod wedge;
