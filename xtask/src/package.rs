//! `cargo xtask package`: validates `target/app/` and zips it into `dist/<name>-<version>.zip`,
//! the file a Zendesk admin uploads as a private app (manifest.json at the zip root).
//! The written zip is read back and validated again, so what is checked is what ships.

use crate::command::{io_err, Error};
use crate::validate::{self, Entry, Package, Report};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

const S_IFMT: u32 = 0o170_000;
const S_IFLNK: u32 = 0o120_000;

/// Reads a package directory, recording symlinks instead of following them.
pub fn read_dir(dir: &Path) -> Result<Package, Error> {
    fn walk(dir: &Path, prefix: &str, pkg: &mut Package) -> Result<(), Error> {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .map_err(io_err(format!("cannot read {}", dir.display())))?
            .collect::<Result<_, _>>()
            .map_err(io_err(format!("cannot read {}", dir.display())))?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            let meta = fs::symlink_metadata(&path)
                .map_err(io_err(format!("cannot stat {}", path.display())))?;
            if meta.file_type().is_symlink() {
                pkg.entries.insert(name, Entry::Symlink);
            } else if meta.is_dir() {
                walk(&path, &format!("{name}/"), pkg)?;
            } else {
                let bytes =
                    fs::read(&path).map_err(io_err(format!("cannot read {}", path.display())))?;
                pkg.insert_file(name, bytes);
            }
        }
        Ok(())
    }
    let mut pkg = Package::default();
    walk(dir, "", &mut pkg)?;
    Ok(pkg)
}

/// Reads a zip into a package; symlink entries (unix mode) are recorded as such.
pub fn read_zip(bytes: &[u8]) -> Result<Package, Error> {
    let invalid = |e: zip::result::ZipError| Error::Invalid(format!("not a readable zip: {e}"));
    let mut archive = ZipArchive::new(std::io::Cursor::new(bytes)).map_err(invalid)?;
    let mut pkg = Package::default();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(invalid)?;
        if file.is_dir() {
            continue;
        }
        let name = file.name().to_string();
        if file.unix_mode().is_some_and(|m| m & S_IFMT == S_IFLNK) {
            pkg.entries.insert(name, Entry::Symlink);
            continue;
        }
        let mut data = Vec::new();
        file.read_to_end(&mut data)
            .map_err(io_err(format!("cannot read {name} from the zip")))?;
        pkg.insert_file(name, data);
    }
    Ok(pkg)
}

/// Writes the zip bytes of a package: sorted entries, fixed timestamps, so it is reproducible.
pub fn zip_bytes(pkg: &Package) -> Result<Vec<u8>, Error> {
    let zip_err = |e: zip::result::ZipError| Error::Invalid(format!("cannot write zip: {e}"));
    let mut writer = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9))
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    for (name, entry) in &pkg.entries {
        let Entry::File(bytes) = entry else {
            return Err(Error::Invalid(format!(
                "{name} is a symlink; a package cannot contain symlinks"
            )));
        };
        writer.start_file(name.as_str(), options).map_err(zip_err)?;
        writer
            .write_all(bytes)
            .map_err(io_err(format!("cannot compress {name}")))?;
    }
    Ok(writer.finish().map_err(zip_err)?.into_inner())
}

/// `ASE Emergency Assist` → `ase-emergency-assist`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// `dist/<slug of manifest name>-<manifest version>.zip`.
pub fn zip_name(manifest: &[u8]) -> Result<String, Error> {
    let m: serde_json::Value = serde_json::from_slice(manifest)
        .map_err(|e| Error::Invalid(format!("manifest.json: not valid JSON ({e})")))?;
    let field = |k: &str| {
        m.get(k)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| Error::Invalid(format!("manifest.json: {k} is needed to name the zip")))
    };
    let name = slug(field("name")?);
    let version = field("version")?;
    if name.is_empty() || version.contains(['/', '\\']) {
        return Err(Error::Invalid(
            "manifest.json: name and version must make a file name".into(),
        ));
    }
    Ok(format!("{name}-{version}.zip"))
}

/// Prints a report's errors and warnings and fails on either: a warning is what Zendesk shows
/// the admin who uploads the package, so it is fixed before the package ships.
pub fn enforce(what: &str, report: &Report) -> Result<(), Error> {
    for e in &report.errors {
        eprintln!("error: {what}: {e}");
    }
    for w in &report.warnings {
        eprintln!("warning: {what}: {w}");
    }
    if report.is_ok() {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "{what} fails Zendesk's package validation with {} error(s) and {} warning(s) (see above)",
            report.errors.len(),
            report.warnings.len()
        )))
    }
}

/// Validates the built app directory, writes the zip, and validates the zip it wrote.
pub fn package(app_dir: &Path, dist: &Path) -> Result<PathBuf, Error> {
    let pkg = read_dir(app_dir)?;
    enforce(&app_dir.display().to_string(), &validate::validate(&pkg))?;
    let manifest = match pkg.entries.get("manifest.json") {
        Some(Entry::File(bytes)) => bytes.clone(),
        _ => return Err(Error::Invalid("manifest.json is missing".into())),
    };
    let bytes = zip_bytes(&pkg)?;
    fs::create_dir_all(dist).map_err(io_err(format!("cannot create {}", dist.display())))?;
    let out = dist.join(zip_name(&manifest)?);
    fs::write(&out, &bytes).map_err(io_err(format!("cannot write {}", out.display())))?;
    validate_zip(&out)?;
    Ok(out)
}

/// Checks a written zip the way Zendesk checks an upload.
pub fn validate_zip(path: &Path) -> Result<(), Error> {
    let bytes = fs::read(path).map_err(io_err(format!("cannot read {}", path.display())))?;
    let mut report = validate::validate(&read_zip(&bytes)?);
    report.merge(validate::check_zip_size(bytes.len() as u64));
    enforce(&path.display().to_string(), &report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for (name, want) in [
            ("ASE Emergency Assist", "ase-emergency-assist"),
            ("  My  App!! 2 ", "my-app-2"),
            ("Ünïcode app", "n-code-app"),
        ] {
            assert_eq!(slug(name), want, "{name}");
        }
    }

    #[test]
    fn zip_name_comes_from_manifest_name_and_version() {
        let m = br#"{"name": "ASE Emergency Assist", "version": "0.1.0"}"#;
        assert_eq!(zip_name(m).unwrap(), "ase-emergency-assist-0.1.0.zip");
        assert!(zip_name(br#"{"name": "A"}"#).is_err());
    }

    #[test]
    fn zip_round_trips_with_manifest_at_root() {
        let mut pkg = Package::default();
        pkg.insert_file("manifest.json", "{}");
        pkg.insert_file("assets/app.js", "x".repeat(10_000));
        let bytes = zip_bytes(&pkg).unwrap();
        assert!(bytes.len() < 1_000, "deflated: {}", bytes.len());
        let back = read_zip(&bytes).unwrap();
        assert_eq!(back.entries, pkg.entries);
        assert_eq!(zip_bytes(&back).unwrap(), bytes, "reproducible");
    }

    #[test]
    fn a_warning_fails_like_an_error() {
        let warned = Report {
            errors: vec![],
            warnings: vec!["manifest.json: parameter \"api_key\" is not secure".into()],
        };
        let err = enforce("pkg", &warned).unwrap_err().to_string();
        assert!(err.contains("0 error(s) and 1 warning(s)"), "{err}");
        let errored = Report {
            errors: vec!["manifest.json is missing".into()],
            warnings: vec![],
        };
        assert!(enforce("pkg", &errored).is_err());
        assert!(enforce("pkg", &Report::default()).is_ok());
    }

    #[test]
    fn symlinks_are_refused_when_zipping_and_seen_in_directories() {
        let mut pkg = Package::default();
        pkg.entries.insert("assets/x.js".into(), Entry::Symlink);
        assert!(zip_bytes(&pkg).is_err());

        let dir = std::env::temp_dir().join(format!("xtask-pkg-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("assets")).unwrap();
        fs::write(dir.join("assets/a.js"), "a").unwrap();
        std::os::unix::fs::symlink("a.js", dir.join("assets/b.js")).unwrap();
        let pkg = read_dir(&dir).unwrap();
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            pkg.entries.get("assets/a.js"),
            Some(&Entry::File(b"a".to_vec()))
        );
        assert_eq!(pkg.entries.get("assets/b.js"), Some(&Entry::Symlink));
    }
}
