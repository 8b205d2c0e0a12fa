//! Keys chosen to hash alike under the engine's table hash as it was without a seed, shared by
//! the `hostile` target and the `colliding_keys` example (a regression check: with the seeded
//! hash of `src/fasthash.rs` they spread like any other keys).

/// `count` keys of sixteen bytes whose second word cancels the first's contribution to the
/// unseeded multiply-rotate hash, leaving a constant. About one candidate in 270 has a second
/// word of ASCII bytes (no NUL), so this takes a fraction of a second.
pub fn colliding_keys(count: usize) -> Vec<String> {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    const TARGET: u64 = 0x2a2a_2a2a_2a2a_2a2a;
    let mut keys = Vec::with_capacity(count);
    let mut counter: u64 = 0;
    while keys.len() < count {
        counter += 1;
        // The first word: eight lowercase letters spelling the counter.
        let mut first = [b'a'; 8];
        let mut rest = counter;
        for byte in first.iter_mut() {
            *byte = b'a' + (rest % 26) as u8;
            rest /= 26;
        }
        let second = u64::from_le_bytes(first).wrapping_mul(K).rotate_left(5) ^ TARGET;
        let bytes = second.to_le_bytes();
        if bytes.iter().all(|&byte| (1..0x80).contains(&byte)) {
            let mut key = first.to_vec();
            key.extend_from_slice(&bytes);
            keys.extend(String::from_utf8(key).ok());
        }
    }
    keys
}
