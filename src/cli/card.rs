//! `gatehouse card decode`: what a reader's frame means, for installers.

use super::Failure;
use clap::{Args, Subcommand};
use gatehouse_core::card::{CardId, decode_wiegand};
use serde_json::json;

#[derive(Debug, Subcommand)]
pub enum CardCommand {
    /// Decode a Wiegand frame: HEX holds the bits left-aligned in bytes, as an OSDP reader
    /// sends them.
    Decode(DecodeArgs),
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Number of bits in the frame.
    #[arg(long)]
    bits: usize,
    /// The frame, left-aligned in bytes, in hexadecimal.
    hex: String,
}

pub fn run(cmd: CardCommand) -> Result<(), Failure> {
    match cmd {
        CardCommand::Decode(args) => decode(&args),
    }
}

fn decode(args: &DecodeArgs) -> Result<(), Failure> {
    let data = hex::decode(args.hex.trim())
        .map_err(|e| Failure::Refused(format!("invalid: not_hex: {e}")))?;
    match decode_wiegand(args.bits, &data) {
        Ok(CardId::Wiegand {
            format,
            facility,
            card_number,
        }) => {
            let out =
                json!({"format": format.name(), "facility": facility, "card_number": card_number});
            println!("{out}");
            Ok(())
        }
        Ok(other) => Err(Failure::Refused(format!(
            "invalid: not a Wiegand card: {other}"
        ))),
        Err(e) => Err(Failure::Refused(format!("invalid: {e}"))),
    }
}
