//! The HTTP API, exercised through the real router (no sockets): authentication, access
//! rules, resources and their errors.

mod alarms;
mod api_tokens;
mod audit_trail;
mod auth;
mod commands;
mod devices;
mod enrollment;
mod event_alarms;
mod events;
mod events_search;
mod harness;
mod issuance;
mod key_reload;
mod metrics;
mod property_passes;
mod reader_key_escrow;
mod resources;
mod resources_input;
mod resources_people;
mod role_matrix;
mod sync;
mod system;
