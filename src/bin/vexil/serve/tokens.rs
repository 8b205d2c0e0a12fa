//! API tokens and SDK keys: 256-bit random secrets, stored only as SHA-256 digests.
//!
//! A token reads `vx<kind>_<id>_<secret>`: the id (48 random bits, in hex) finds the stored
//! row, and the SHA-256 of the secret (256 random bits, in hex) is compared with the stored
//! digest in constant time. A slow password hash would protect nothing more here (the secret
//! cannot be guessed) and would cost milliseconds per request.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What a token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A person's or script's token for the admin API, with a [`Role`].
    Admin,
    /// An SDK key that reads an environment's full snapshot.
    Server,
    /// An SDK key that reads the snapshot without what is marked server-only; safe in a page.
    Client,
}

impl TokenKind {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Admin => "admin",
            TokenKind::Server => "server",
            TokenKind::Client => "client",
        }
    }

    /// The kind named `text`.
    pub fn parse(text: &str) -> Option<TokenKind> {
        match text {
            "admin" => Some(TokenKind::Admin),
            "server" => Some(TokenKind::Server),
            "client" => Some(TokenKind::Client),
            _ => None,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            TokenKind::Admin => "vxa",
            TokenKind::Server => "vxs",
            TokenKind::Client => "vxc",
        }
    }
}

/// What an admin token may do; each role includes the ones below it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads flags, history, statistics and snapshots.
    Viewer,
    /// Also changes flags, segments and overrides.
    Editor,
    /// Also manages environments and tokens.
    Admin,
}

impl Role {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    /// The role named `text`.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "viewer" => Some(Role::Viewer),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A newly made token: the text to hand out once, and what is stored.
#[derive(Debug)]
pub struct NewToken {
    /// The whole token, shown once and never stored.
    pub text: String,
    /// The public id.
    pub id: String,
    /// The SHA-256 of the secret, in hex.
    pub digest: String,
}

/// Makes a token of `kind` from the operating system's random source.
pub fn generate(kind: TokenKind) -> Result<NewToken, String> {
    let mut id = [0u8; 6];
    let mut secret = [0u8; 32];
    getrandom::getrandom(&mut id).map_err(|error| format!("no random source: {error}"))?;
    getrandom::getrandom(&mut secret).map_err(|error| format!("no random source: {error}"))?;
    Ok(assemble(kind, &hex(&id), &hex(&secret)))
}

fn assemble(kind: TokenKind, id: &str, secret: &str) -> NewToken {
    NewToken {
        text: format!("{}_{id}_{secret}", kind.prefix()),
        id: id.to_owned(),
        digest: digest(secret),
    }
}

/// A presented token split into its id and secret, if it has a token's shape.
pub struct Presented<'t> {
    /// The id, to find the stored row.
    pub id: &'t str,
    secret: &'t str,
}

impl<'t> Presented<'t> {
    /// Splits `text`; `None` when it cannot be a token (then no lookup is made).
    pub fn parse(text: &'t str) -> Option<Presented<'t>> {
        let mut parts = text.split('_');
        let (prefix, id, secret) = (parts.next()?, parts.next()?, parts.next()?);
        let shaped = matches!(prefix, "vxa" | "vxs" | "vxc")
            && parts.next().is_none()
            && id.len() == 12
            && secret.len() == 64
            && is_hex(id)
            && is_hex(secret);
        shaped.then_some(Presented { id, secret })
    }

    /// Whether the secret's digest equals `stored`, compared in constant time.
    pub fn matches(&self, stored: &str) -> bool {
        digest(self.secret)
            .as_bytes()
            .ct_eq(stored.as_bytes())
            .into()
    }
}

/// The stored digest of a secret.
pub fn digest_of(secret: &str) -> String {
    digest(secret)
}

fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn is_hex(text: &str) -> bool {
    text.bytes()
        .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 15)]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_token_matches_its_digest_and_nothing_else() {
        let token = generate(TokenKind::Admin).expect("random");
        assert!(token.text.starts_with("vxa_"));
        let presented = Presented::parse(&token.text).expect("shaped");
        assert_eq!(presented.id, token.id);
        assert!(presented.matches(&token.digest));
        let other = generate(TokenKind::Admin).expect("random");
        assert!(!presented.matches(&other.digest));
        assert_ne!(
            token.digest, token.text,
            "the secret is never what is stored"
        );
    }

    #[test]
    fn only_the_token_shape_is_looked_up() {
        let good = format!("vxs_{}_{}", "a".repeat(12), "0".repeat(64));
        assert!(Presented::parse(&good).is_some());
        for bad in [
            String::new(),
            "vxa".to_owned(),
            format!("vxq_{}_{}", "a".repeat(12), "0".repeat(64)),
            format!("vxa_{}_{}", "a".repeat(11), "0".repeat(64)),
            format!("vxa_{}_{}", "a".repeat(12), "0".repeat(63)),
            format!("vxa_{}_{}", "A".repeat(12), "0".repeat(64)),
            format!("vxa_{}_{}_x", "a".repeat(12), "0".repeat(64)),
            format!("vxa_{}_{}", "a".repeat(12), "g".repeat(64)),
        ] {
            assert!(Presented::parse(&bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_digest_is_sha256_in_hex() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hex(&[0, 15, 16, 255]), "000f10ff");
    }
}
