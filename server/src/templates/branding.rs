//! The operator's own look (SPEC §7): a stylesheet (`HUB_STYLESHEET`) loaded after the
//! hub's, and a logo (`HUB_LOGO`: PNG, JPEG, WebP or SVG) shown above each page, both
//! served by the hub itself under `/static/`, so the pages' CSP (`'self'` only) lets them
//! in. Read once at start-up; a file that cannot be read, is too large or is not one of
//! those types stops the start with one line.

use std::path::Path;

use bytes::Bytes;

use crate::config::ConfigError;

/// The largest stylesheet or logo the hub serves.
const MAX_BYTES: usize = 512 * 1024;

#[derive(Debug, Clone, Default)]
pub struct Branding {
    pub stylesheet: Option<Bytes>,
    /// The logo and its content type.
    pub logo: Option<(Bytes, &'static str)>,
}

impl Branding {
    pub fn load(stylesheet: Option<&Path>, logo: Option<&Path>) -> Result<Self, ConfigError> {
        let stylesheet = stylesheet.map(|path| read("HUB_STYLESHEET", path)).transpose()?;
        if let Some(css) = &stylesheet
            && std::str::from_utf8(css).is_err()
        {
            return Err(ConfigError::new("HUB_STYLESHEET must be a UTF-8 text file"));
        }
        let logo = match logo {
            Some(path) => {
                let content_type = image_type(path).ok_or_else(|| {
                    ConfigError::new(format!("HUB_LOGO {}: use a .png, .jpg, .webp or .svg file", path.display()))
                })?;
                Some((read("HUB_LOGO", path)?, content_type))
            }
            None => None,
        };
        Ok(Self { stylesheet, logo })
    }
}

fn read(setting: &str, path: &Path) -> Result<Bytes, ConfigError> {
    let bytes = std::fs::read(path).map_err(|e| ConfigError::new(format!("{setting} {}: {e}", path.display())))?;
    if bytes.len() > MAX_BYTES {
        return Err(ConfigError::new(format!("{setting} {}: larger than {} KiB", path.display(), MAX_BYTES / 1024)));
    }
    Ok(Bytes::from(bytes))
}

fn image_type(path: &Path) -> Option<&'static str> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "png" => Some("image/png"),
        "jpg" | "jpeg" => Some("image/jpeg"),
        "webp" => Some("image/webp"),
        "svg" => Some("image/svg+xml"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_checked_at_load() {
        let dir = std::env::temp_dir().join(format!("hub-branding-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("corp.css"), "main { border-color: teal; }").unwrap();
        std::fs::write(dir.join("logo.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
        std::fs::write(dir.join("logo.gif"), "GIF89a").unwrap();
        let loaded = Branding::load(Some(&dir.join("corp.css")), Some(&dir.join("logo.svg"))).unwrap();
        assert_eq!(loaded.logo.unwrap().1, "image/svg+xml");
        assert!(Branding::load(None, Some(&dir.join("logo.gif"))).unwrap_err().to_string().contains(".png"));
        assert!(
            Branding::load(Some(&dir.join("missing.css")), None).unwrap_err().to_string().contains("HUB_STYLESHEET")
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
