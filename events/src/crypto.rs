//! The Encrypt Key and the verification token: decryption, signatures and token checks.
//!
//! Every comparison is constant-time ([`subtle`]); neither secret is ever printed.

use std::fmt;

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::Engine as _;
use feishu_openapi_core::SecretString;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;
type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;

/// The AES block size: the IV's length, and what a ciphertext's length is a multiple of.
const BLOCK: usize = 16;

/// Why an `encrypt` string could not be decrypted. The messages name the rule, never the key
/// nor the content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecryptError {
    /// The `encrypt` string is not standard base64.
    #[error("the encrypted body is not valid base64")]
    NotBase64,
    /// Fewer than 32 bytes: an IV and at least one block are needed.
    #[error("the encrypted body is too short ({0} bytes; at least 32 are needed)")]
    TooShort(usize),
    /// The ciphertext after the IV is not a whole number of 16-byte blocks.
    #[error("the encrypted body is not a whole number of 16-byte blocks ({0} bytes)")]
    NotBlockAligned(usize),
    /// The PKCS#7 padding is wrong: another Encrypt Key, or a damaged body.
    #[error("the encrypted body does not decrypt with this Encrypt Key (bad padding)")]
    BadPadding,
    /// The decrypted bytes are not UTF-8.
    #[error("the decrypted body is not UTF-8")]
    NotUtf8,
}

/// The app's **Encrypt Key** (the developer console's "Encrypt Key"): decrypts `{"encrypt":…}`
/// bodies and checks the `X-Lark-Signature` of events. Redacted in `Debug`.
///
/// ```
/// use feishu_openapi_events::EncryptKey;
/// let key = EncryptKey::new("test key");
/// assert_eq!(format!("{key:?}"), "EncryptKey(<redacted>)");
/// let sealed = key.encrypt(br#"{"ok":true}"#, [7; 16]);
/// assert_eq!(key.decrypt(&sealed).unwrap(), r#"{"ok":true}"#);
/// ```
#[derive(Clone)]
pub struct EncryptKey {
    secret: SecretString,
    aes_key: [u8; 32],
}

impl EncryptKey {
    /// An Encrypt Key from the console's string.
    pub fn new(key: impl Into<SecretString>) -> Self {
        let secret = key.into();
        let aes_key = Sha256::digest(secret.expose_secret().as_bytes()).into();
        Self { secret, aes_key }
    }

    /// Decrypts the value of an `encrypt` field: base64, then AES-256-CBC with the key's SHA-256,
    /// the first 16 bytes being the IV, PKCS#7 padding; the result must be UTF-8.
    pub fn decrypt(&self, encrypt: &str) -> Result<String, DecryptError> {
        let mut bytes = base64::engine::general_purpose::STANDARD
            .decode(encrypt.trim())
            .map_err(|_| DecryptError::NotBase64)?;
        if bytes.len() < 2 * BLOCK {
            return Err(DecryptError::TooShort(bytes.len()));
        }
        if bytes.len() % BLOCK != 0 {
            return Err(DecryptError::NotBlockAligned(bytes.len()));
        }
        let (iv, rest) = bytes.split_at_mut(BLOCK);
        let plain = Aes256CbcDec::new(&self.aes_key.into(), (&*iv).into())
            .decrypt_padded_mut::<Pkcs7>(rest)
            .map_err(|_| DecryptError::BadPadding)?;
        let plain = plain.to_vec();
        String::from_utf8(plain).map_err(|_| DecryptError::NotUtf8)
    }

    /// Encrypts `plaintext` as the platform does (the IV first, then the ciphertext, in base64).
    /// The platform's side of [`decrypt`](Self::decrypt): for fakes and tests. Give a fresh,
    /// random IV for anything real.
    pub fn encrypt(&self, plaintext: &[u8], iv: [u8; 16]) -> String {
        let sealed = Aes256CbcEnc::new(&self.aes_key.into(), &iv.into())
            .encrypt_padded_vec_mut::<Pkcs7>(plaintext);
        let mut out = Vec::with_capacity(BLOCK + sealed.len());
        out.extend_from_slice(&iv);
        out.extend_from_slice(&sealed);
        base64::engine::general_purpose::STANDARD.encode(out)
    }

    /// The signature of an event request:
    /// `hex(sha256(timestamp ‖ nonce ‖ encrypt_key ‖ raw_body))`.
    pub fn event_signature(&self, timestamp: &str, nonce: &str, raw_body: &[u8]) -> String {
        let mut h = Sha256::new();
        h.update(timestamp.as_bytes());
        h.update(nonce.as_bytes());
        h.update(self.secret.expose_secret().as_bytes());
        h.update(raw_body);
        hex::encode(h.finalize())
    }

    /// Whether `signature` (the `X-Lark-Signature` header) signs this raw body, in constant time.
    pub fn verify_event_signature(
        &self,
        timestamp: &str,
        nonce: &str,
        raw_body: &[u8],
        signature: &str,
    ) -> bool {
        hex_eq(&self.event_signature(timestamp, nonce, raw_body), signature)
    }
}

impl fmt::Debug for EncryptKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptKey(<redacted>)")
    }
}

/// The app's **Verification Token**: checked against the `token` of every event, and the key of
/// the legacy card callback's SHA-1 signature. Redacted in `Debug`.
///
/// ```
/// use feishu_openapi_events::VerificationToken;
/// let token = VerificationToken::new("v-token");
/// assert!(token.matches("v-token"));
/// assert!(!token.matches("v-tokeN"));
/// assert_eq!(format!("{token:?}"), "VerificationToken(<redacted>)");
/// ```
#[derive(Clone)]
pub struct VerificationToken(SecretString);

impl VerificationToken {
    /// A verification token from the console's string.
    pub fn new(token: impl Into<SecretString>) -> Self {
        Self(token.into())
    }

    /// Whether `given` is this token, in constant time.
    pub fn matches(&self, given: &str) -> bool {
        bool::from(self.0.expose_secret().as_bytes().ct_eq(given.as_bytes()))
    }

    /// The signature of a legacy card callback:
    /// `hex(sha1(timestamp ‖ nonce ‖ verification_token ‖ raw_body))`.
    pub fn card_signature(&self, timestamp: &str, nonce: &str, raw_body: &[u8]) -> String {
        let mut h = Sha1::new();
        h.update(timestamp.as_bytes());
        h.update(nonce.as_bytes());
        h.update(self.0.expose_secret().as_bytes());
        h.update(raw_body);
        hex::encode(h.finalize())
    }

    /// Whether `signature` signs this legacy card callback's raw body, in constant time.
    pub fn verify_card_signature(
        &self,
        timestamp: &str,
        nonce: &str,
        raw_body: &[u8],
        signature: &str,
    ) -> bool {
        hex_eq(&self.card_signature(timestamp, nonce, raw_body), signature)
    }

    /// The token itself, to put into a fake request.
    #[cfg(feature = "fake")]
    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for VerificationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerificationToken(<redacted>)")
    }
}

/// Compares a computed lowercase hex digest with a received one (either case), in constant time.
fn hex_eq(computed: &str, received: &str) -> bool {
    let received = received.trim().to_ascii_lowercase();
    bool::from(computed.as_bytes().ct_eq(received.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_cannot_be_a_ciphertext() {
        let key = EncryptKey::new("k");
        assert_eq!(key.decrypt("%%%"), Err(DecryptError::NotBase64));
        let b64 = |n: usize| base64::engine::general_purpose::STANDARD.encode(vec![0u8; n]);
        assert_eq!(key.decrypt(&b64(16)), Err(DecryptError::TooShort(16)));
        assert_eq!(
            key.decrypt(&b64(40)),
            Err(DecryptError::NotBlockAligned(40))
        );
        assert_eq!(key.decrypt(&b64(48)), Err(DecryptError::BadPadding));
        let other = EncryptKey::new("other").encrypt(b"hello", [1; 16]);
        assert_eq!(key.decrypt(&other), Err(DecryptError::BadPadding));
        let latin1 = key.encrypt(&[0xff, 0xfe], [2; 16]);
        assert_eq!(key.decrypt(&latin1), Err(DecryptError::NotUtf8));
    }

    #[test]
    fn signatures_accept_either_case_and_nothing_else() {
        let key = EncryptKey::new("k");
        let sig = key.event_signature("1", "n", b"{}");
        assert!(key.verify_event_signature("1", "n", b"{}", &sig.to_uppercase()));
        assert!(!key.verify_event_signature("1", "n", b"{} ", &sig));
        assert!(!key.verify_event_signature("1", "n", b"{}", ""));
    }
}
