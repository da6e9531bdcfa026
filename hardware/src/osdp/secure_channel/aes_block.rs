//! AES-128 in the three shapes OSDP uses: one block (ECB), CBC encryption and CBC
//! decryption of whole blocks. The OSDP padding is the caller's (it differs between the
//! MAC and the data).

use aes::Aes128;
use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit, generic_array::GenericArray};

/// AES-128 of one block.
pub fn encrypt_block(key: &[u8; 16], block: &[u8; 16]) -> [u8; 16] {
    let cipher = Aes128::new(GenericArray::from_slice(key));
    let mut b = GenericArray::clone_from_slice(block);
    cipher.encrypt_block(&mut b);
    let mut out = [0u8; 16];
    out.copy_from_slice(&b);
    out
}

/// AES-128-CBC over `data` (a multiple of 16 bytes), in place.
pub fn cbc_encrypt(key: &[u8; 16], iv: &[u8; 16], data: &mut [u8]) {
    let cipher = Aes128::new(GenericArray::from_slice(key));
    let mut chain = *iv;
    for block in data.chunks_exact_mut(16) {
        for (b, c) in block.iter_mut().zip(chain) {
            *b ^= c;
        }
        let ga = GenericArray::from_mut_slice(block);
        cipher.encrypt_block(ga);
        chain.copy_from_slice(block);
    }
}

/// AES-128-CBC decryption of `data` (a multiple of 16 bytes), in place.
pub fn cbc_decrypt(key: &[u8; 16], iv: &[u8; 16], data: &mut [u8]) {
    let cipher = Aes128::new(GenericArray::from_slice(key));
    let mut chain = *iv;
    for block in data.chunks_exact_mut(16) {
        let mut next = [0u8; 16];
        next.copy_from_slice(block);
        cipher.decrypt_block(GenericArray::from_mut_slice(block));
        for (b, c) in block.iter_mut().zip(chain) {
            *b ^= c;
        }
        chain = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex16(s: &str) -> [u8; 16] {
        let v = hex::decode(s).expect("hex");
        let mut a = [0u8; 16];
        a.copy_from_slice(&v);
        a
    }

    #[test]
    fn fips197_vector() {
        // FIPS-197 appendix C.1.
        let key = hex16("000102030405060708090a0b0c0d0e0f");
        let pt = hex16("00112233445566778899aabbccddeeff");
        assert_eq!(
            encrypt_block(&key, &pt),
            hex16("69c4e0d86a7b0430d8cdb78070b4c55a")
        );
    }

    #[test]
    fn cbc_sp800_38a_vector_and_round_trip() {
        // NIST SP 800-38A F.2.1, first two blocks.
        let key = hex16("2b7e151628aed2a6abf7158809cf4f3c");
        let iv = hex16("000102030405060708090a0b0c0d0e0f");
        let mut data =
            hex::decode("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51")
                .expect("hex");
        cbc_encrypt(&key, &iv, &mut data);
        assert_eq!(
            hex::encode(&data),
            "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
        );
        cbc_decrypt(&key, &iv, &mut data);
        assert_eq!(
            hex::encode(&data),
            "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
        );
    }
}
