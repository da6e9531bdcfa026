//! Reader and door I/O: traits, real back-ends (GPIO, Wiegand, OSDP, QR scanners) and a
//! simulator. Its work is the hardware issue; until then this crate is empty on purpose.
