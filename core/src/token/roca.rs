//! ROCA (CVE-2017-15361) fingerprint: Infineon-generated RSA moduli are congruent to a power of
//! 65537 modulo every small prime below, which random moduli almost never are (false positive
//! rate about 2^-154). Such keys are factorable, so a signature under one proves nothing.

const PRIMES: [u32; 38] = [
    3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
];

fn in_subgroup_of_65537(residue: u32, p: u32) -> bool {
    let g = 65537 % p;
    let mut x = 1u32;
    for _ in 0..p {
        if x == residue {
            return true;
        }
        x = x * g % p;
    }
    false
}

/// True when the big-endian modulus `n` has the ROCA fingerprint.
pub(crate) fn has_fingerprint(n: &[u8]) -> bool {
    PRIMES.iter().all(|&p| {
        let r = n.iter().fold(0u32, |r, &b| (r * 256 + u32::from(b)) % p);
        in_subgroup_of_65537(r, p)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_moduli_do_not_match() {
        let key = crate::token::SigningKey::from_pem(crate::token::tests::RSA_A).unwrap();
        let n = key.verifying_key().public_members()["n"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(!has_fingerprint(
            &crate::token::base64url_decode(&n).unwrap()
        ));
        // 65537^k mod p for every p: the product structure ROCA keys have.
        let mut n = vec![0u8; 8];
        n[7] = 1;
        assert!(has_fingerprint(&n), "1 = 65537^0 is in every subgroup");
    }
}
