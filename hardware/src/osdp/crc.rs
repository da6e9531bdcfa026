//! The two integrity checks an OSDP frame may carry: CRC-16 (control bit 2 set) and the
//! 8-bit checksum (bit 2 clear).

/// CRC-16 as libosdp and the OSDP specification compute it: polynomial 0x1021, initial
/// value 0x1D0F, no reflection, no final XOR (the "CRC-16/AUG-CCITT" parameters). A frame
/// carries it least significant byte first.
pub fn crc16(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0x1D0F;
    for &byte in bytes {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// The 8-bit checksum: the two's complement of the sum of the bytes, so that the bytes and
/// the checksum sum to zero.
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes
        .iter()
        .fold(0u8, |sum, &b| sum.wrapping_add(b))
        .wrapping_neg()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc16_check_value() {
        // The catalogued check value of CRC-16/AUG-CCITT over "123456789".
        assert_eq!(crc16(b"123456789"), 0xE5CC);
        assert_eq!(crc16(&[]), 0x1D0F);
    }

    #[test]
    fn crc16_of_a_poll() {
        // osdp_POLL to address 0, sequence 0, CRC: the frame the spec's examples start with.
        let frame = [0x53, 0x00, 0x08, 0x00, 0x04, 0x60];
        let crc = crc16(&frame);
        assert_eq!(crc, crc16(&frame));
        let mut whole = frame.to_vec();
        whole.extend_from_slice(&crc.to_le_bytes());
        assert_ne!(crc16(&whole), crc);
    }

    #[test]
    fn checksum_sums_to_zero() {
        let bytes = [0x53, 0x00, 0x07, 0x00, 0x00, 0x60];
        let sum = bytes.iter().fold(0u8, |s, &b| s.wrapping_add(b));
        assert_eq!(sum.wrapping_add(checksum(&bytes)), 0);
        assert_eq!(checksum(&bytes), 0x46);
    }
}
