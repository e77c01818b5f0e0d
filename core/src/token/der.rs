//! The one piece of DER this crate writes by hand: a PKCS#1 `RSAPublicKey` from a JWK's `n` and
//! `e`, so JWK keys go through the same aws-lc-rs parser (and its checks) as PEM keys.

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

fn push_unsigned_integer(out: &mut Vec<u8>, value: &[u8]) {
    let start = value.iter().take_while(|b| **b == 0).count();
    let value = &value[start..];
    let pad = value.first().is_none_or(|b| b & 0x80 != 0);
    out.push(0x02);
    push_len(out, value.len() + usize::from(pad));
    if pad {
        out.push(0);
    }
    out.extend_from_slice(value);
}

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` (RFC 8017 A.1.1).
pub(crate) fn rsa_public_key(n: &[u8], e: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(n.len() + e.len() + 16);
    push_unsigned_integer(&mut body, n);
    push_unsigned_integer(&mut body, e);
    let mut out = Vec::with_capacity(body.len() + 4);
    out.push(0x30);
    push_len(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_small_and_long_forms() {
        assert_eq!(
            rsa_public_key(&[0x01], &[0x03]),
            vec![0x30, 6, 2, 1, 1, 2, 1, 3]
        );
        // A high bit gets a zero pad so the integer stays positive; leading zeros are dropped.
        assert_eq!(
            rsa_public_key(&[0, 0x80], &[1]),
            vec![0x30, 7, 2, 2, 0, 0x80, 2, 1, 1]
        );
        let n = vec![0xc1; 256];
        let der = rsa_public_key(&n, &[1, 0, 1]);
        assert_eq!(&der[..4], &[0x30, 0x82, 0x01, 0x0a]);
        assert_eq!(der.len(), 4 + 0x010a);
    }
}
