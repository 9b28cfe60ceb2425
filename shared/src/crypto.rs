//! Encryption of stored secrets (SMTP password, OIDC client secret,
//! bank access URLs, push tokens).
//!
//! AES-256-GCM under a key derived with HKDF-SHA-256 from
//! `TOKEN_ENCRYPTION_KEY`, or from a random key file generated under
//! `keys/` when that variable is unset. A stored value is
//! `v1:<base64(nonce || ciphertext)>`.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;

use crate::config::Secret;
use crate::error::{Error, Result};
use crate::paths::{DataDir, write_private_new};

const KEY_FILE: &str = "token-encryption.key";
const HKDF_SALT: &[u8] = b"billtracker secrets v1";
const HKDF_INFO: &[u8] = b"aes-256-gcm";
const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;

/// Where the key material came from (shown on Status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    Environment,
    KeyFile,
}

/// Encrypts and decrypts stored secrets.
pub struct SecretBox {
    cipher: Aes256Gcm,
    source: KeySource,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretBox")
            .field("source", &self.source)
            .finish()
    }
}

impl SecretBox {
    /// Builds the box from `TOKEN_ENCRYPTION_KEY`, else from the key file,
    /// generating the file (0600) when this is the first process to need it.
    pub fn load(env_key: Option<&Secret>, data: &DataDir) -> Result<Self> {
        match env_key {
            Some(secret) => Ok(Self::from_material(
                secret.expose().as_bytes(),
                KeySource::Environment,
            )),
            None => {
                let material = load_or_create_key_file(&data.keys())?;
                Ok(Self::from_material(&material, KeySource::KeyFile))
            }
        }
    }

    fn from_material(material: &[u8], source: KeySource) -> Self {
        let hkdf = Hkdf::<Sha256>::new(Some(HKDF_SALT), material);
        let mut key = [0u8; 32];
        hkdf.expand(HKDF_INFO, &mut key)
            .expect("32 bytes is a valid HKDF-SHA-256 output length");
        SecretBox {
            cipher: Aes256Gcm::new(&key.into()),
            source,
        }
    }

    pub fn source(&self) -> KeySource {
        self.source
    }

    pub fn encrypt(&self, plaintext: &str) -> Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
            .map_err(|_| Error::Crypto("encryption failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        Ok(format!("{PREFIX}{}", STANDARD.encode(out)))
    }

    pub fn decrypt(&self, stored: &str) -> Result<String> {
        let encoded = stored
            .strip_prefix(PREFIX)
            .ok_or_else(|| Error::Crypto("stored secret has an unknown format".into()))?;
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| Error::Crypto("stored secret is not valid base64".into()))?;
        if bytes.len() <= NONCE_LEN {
            return Err(Error::Crypto("stored secret is truncated".into()));
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| {
                Error::Crypto(
                    "a stored secret cannot be decrypted: the encryption key changed \
                     (TOKEN_ENCRYPTION_KEY or keys/token-encryption.key)"
                        .into(),
                )
            })?;
        String::from_utf8(plain).map_err(|_| Error::Crypto("stored secret is not UTF-8".into()))
    }
}

fn load_or_create_key_file(keys_dir: &Path) -> Result<Vec<u8>> {
    let path = keys_dir.join(KEY_FILE);
    if !path.exists() {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        match write_private_new(&path, STANDARD.encode(key).as_bytes()) {
            Ok(()) => tracing::info!("generated a new secret encryption key file in keys/"),
            // Another process created it first: read theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
    }

    // A process that lost the creation race may read the file before the
    // winner's write lands; wait briefly for it to be complete.
    for _ in 0..50 {
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        if let Ok(bytes) = STANDARD.decode(text.trim())
            && bytes.len() == 32
        {
            return Ok(bytes);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Err(Error::Crypto(
        "keys/token-encryption.key is not a valid key file (32 bytes in base64)".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data_dir() -> (tempfile::TempDir, DataDir) {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        data.prepare().unwrap();
        (tmp, data)
    }

    #[test]
    fn a_secret_round_trips_and_is_not_stored_in_clear() {
        let (_tmp, data) = data_dir();
        let secrets = SecretBox::load(Some(&Secret::new("x".repeat(40))), &data).unwrap();
        let stored = secrets.encrypt("smtp-password").unwrap();
        assert!(!stored.contains("smtp-password"));
        assert_eq!(secrets.decrypt(&stored).unwrap(), "smtp-password");
    }

    #[test]
    fn a_different_key_cannot_decrypt() {
        let (_tmp, data) = data_dir();
        let a = SecretBox::load(Some(&Secret::new("a".repeat(40))), &data).unwrap();
        let b = SecretBox::load(Some(&Secret::new("b".repeat(40))), &data).unwrap();
        let stored = a.encrypt("token").unwrap();
        assert!(b.decrypt(&stored).is_err());
    }

    #[test]
    fn the_key_file_is_generated_once_with_mode_0600() {
        use std::os::unix::fs::PermissionsExt;
        let (_tmp, data) = data_dir();
        let first = SecretBox::load(None, &data).unwrap();
        let stored = first.encrypt("value").unwrap();
        let second = SecretBox::load(None, &data).unwrap();
        assert_eq!(second.decrypt(&stored).unwrap(), "value");
        assert_eq!(second.source(), KeySource::KeyFile);
        let mode = std::fs::metadata(data.keys().join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
